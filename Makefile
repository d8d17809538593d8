.PHONY: help demo test lint typecheck sample bench
help:            ## list the targets
	@grep -E '^[a-z]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'
demo:            ## run the demo desk and serve its site
	scripts/demo
test:            ## run the test suite
	scripts/test
lint:            ## ruff
	.venv/bin/ruff check src tests
typecheck:       ## mypy on src/
	.venv/bin/mypy
sample:          ## regenerate this repo's sample desk
	.venv/bin/python scripts/sample_desk.py --into .
bench:           ## run the CLI benchmarks (see docs/benchmarks.md)
	.venv/bin/python bench/run.py
