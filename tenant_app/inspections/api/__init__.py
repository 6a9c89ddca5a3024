"""The inspections JSON API: resources and their marshmallow schemas."""
