.PHONY: help demo test lint typecheck sample bench messages catalogs
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
messages:        ## extract customer-facing strings and update the es/ca/en catalogs (then translate, then `make catalogs`)
	.venv/bin/pybabel extract -F babel.cfg -k N_ -k Nn_:1,2 -k Np_:1c,2 --no-location --sort-output --omit-header \
	    -o src/gitdesk/i18n/locale/gitdesk.pot .
	.venv/bin/pybabel update -i src/gitdesk/i18n/locale/gitdesk.pot -d src/gitdesk/i18n/locale -D gitdesk \
	    --no-fuzzy-matching --ignore-obsolete
catalogs:        ## compile the .po catalogs into the .mo files the package ships (tests check they are current)
	.venv/bin/pybabel compile -d src/gitdesk/i18n/locale -D gitdesk --statistics
