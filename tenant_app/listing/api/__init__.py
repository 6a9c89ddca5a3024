"""The positive-list JSON API: resources and their marshmallow schemas."""
