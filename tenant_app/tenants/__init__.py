"""Tenants (provinces, cities, counties): their creation and hierarchy — service, pages, API."""
