def thorns_panel_register() -> None:
    pass
