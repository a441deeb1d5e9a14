"""Widgets and Qt item models. They call lookup.py; they never touch httpx."""
