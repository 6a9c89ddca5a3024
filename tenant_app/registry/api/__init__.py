"""The registry JSON API: resources and their marshmallow schemas."""
