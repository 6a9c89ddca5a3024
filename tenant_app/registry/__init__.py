"""The enterprise registry: enterprises, compliance records, enterprise accounts — services, pages, API."""
