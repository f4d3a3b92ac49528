.PHONY: install seeds test lint

install:
	pip install -e ".[dev]"

# Install and run the main job on the two seed articles.
seeds: install
	coder code seeds/ -o out/seeds.jsonl --force

test:
	pip install -e ".[dev]" && python -m pytest -q

lint:
	ruff check coder tests scripts benchmarks
