"""Every change to on-call state goes through a function here (see STYLE.md)."""
