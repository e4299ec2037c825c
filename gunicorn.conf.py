"""Gunicorn reads this file when started from the project folder (``gunicorn config.wsgi``), or with
``-c gunicorn.conf.py`` from anywhere: the access log then keeps no secret that came in a URL or header."""

logger_class = "config.access_log.RedactingLogger"
