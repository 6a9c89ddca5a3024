"""National layer: the Administrative Penalty Law (2021) and the Ministry's 2023 measures, all data in
pack.toml; inherited by every regional pack (policies/national_layer.py), never chosen alone."""
