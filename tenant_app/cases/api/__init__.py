"""The cases JSON API (flask-smorest), over the same services as the pages."""
