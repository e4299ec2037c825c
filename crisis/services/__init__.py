"""Every change to crisis state goes through a function here (see STYLE.md)."""
