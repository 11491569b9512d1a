# The two commands of the README: `make demo` and `make test`. Everything else is a helper.
# Builds share one target directory outside the checkout, so a fresh clone (CI) builds warm.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/regatta/target
export CARGO_TERM_COLOR ?= never

.PHONY: demo test bootstrap lint build

## Build, start a seeded local registry and Regatta on http://127.0.0.1:3000 (Ctrl-C stops both).
demo: bootstrap
	bash scripts/demo.sh

## Every check and test: format, lints, unit, integration (real registry), browser e2e.
test: bootstrap
	bash scripts/test.sh

bootstrap:
	bash scripts/bootstrap.sh
