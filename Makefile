# The pipeline: clean -> segment -> filter -> lda, tfidf, themes, ... -> report, then quality. Each
# stage is one `python -m pipeline <stage>` call whose target is the file it writes last, so an
# interrupted stage never looks finished. The stages, what each reads and writes, and the order
# they run in are declared once, in pipeline/artifacts.py (STAGES); `python -m pipeline <stage>
# --help` says what a stage writes, and the report lists every file with what it holds.
#
# What each stage writes, reads and runs is generated into $(GENERATED) from pipeline/artifacts.py
# (paths), pipeline/params.py (defaults) and the import graph of pipeline/ (code), so a stage
# reruns when its inputs, its parameters or any module it loads change. Parameters given on the
# command line (make topics K=6) go into stamp files under $(OUTPUT)/.params/, rewritten only
# when their value changes. Defaults live in pipeline/params.py alone: a variable left unset here
# is not passed on.

SHELL := /bin/bash
.DELETE_ON_ERROR:
.DEFAULT_GOAL := help
# make topics runs two stages at a time where the graph allows (after a stopword edit: lda beside
# tfidf, then wording, then explorer, plots, prevalence, terms). Stages that need much memory run alone
# (Stage.alone in pipeline/artifacts.py, as the *_ORDER prerequisites of the stage rules).
# make -j1 topics runs one at a time. Only for topics alone: beside another goal (clean,
# accept-terms) the goals themselves would run side by side, and a single stage's target should
# not build the stages it is merely ordered after.
ifeq ($(MAKECMDGOALS),topics)
MAKEFLAGS += --jobs=2
order = $($(1)_ORDER)
endif

PYTHON ?= python3
comma := ,
space := $(subst ,, )
VENV      := .venv
PY        := $(VENV)/bin/python
READY     := $(VENV)/.installed
GENERATED := .make/stages.mk
PARAMS     = $(OUTPUT)/.params
STAGE      = $(PY) -m pipeline --output $(OUTPUT) $(if $(JOBS),--jobs $(JOBS))

# help needs no installed project; every other goal reads the generated part.
ifeq ($(filter-out help,$(or $(MAKECMDGOALS),help)),)
-include $(GENERATED)
else
include $(GENERATED)
$(GENERATED): $(shell find pipeline -type f -not -path '*/__pycache__/*') | $(READY)
	@mkdir -p $(@D)
	@$(PY) -m pipeline.deps > $@.tmp && mv -f $@.tmp $@
endif

# The options of a stage from the variables that are set; its input files (folders: their *.txt);
# its prerequisites: the stages it reads, its code, its input files and its parameter stamp.
options   = $(foreach v,$($(1)_VARS),$(if $(filter $(v),$(LIST_VARS)),$(foreach x,$($(v)),$(OPTION_$(v)) $(x)),$(if $($(v)),$(OPTION_$(v)) '$($(v))')))
files_of  = $(foreach v,$(filter $(INPUT_FILE_VARS),$($(1)_VARS)),$(foreach x,$($(v)),$(if $(wildcard $(x)/.),$(wildcard $(x)/*.txt),$(x))))
needs     = $($(1)_NEEDS) $($(1)_CODE) $(call files_of,$(1)) $(PARAMS)/$(1)

.PHONY: help topics test test-all bench bench-quality bench-segmenters eval accept-terms accept-stopwords accept-theme clean FORCE

help: ## list targets and variables
	@echo "Targets:"
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | awk -F'\t' '{printf "  make %-13s %s\n", $$1, $$2}'
	@echo "Variables (make topics VAR=value; unset ones take the defaults in pipeline/params.py):"
	@echo "  INPUT=dir  reports    OUTPUT=dir  results    K=n|auto  topics    K_RANGE=MIN:MAX  for K=auto"
	@echo "  SEED=n  PASSES=n  RUNS=n  (stability models)    JOBS=n  processes (default: all cores)"
	@echo "  STOPWORDS=files|dirs  DICTIONARY=files  THEMES=file  RULES=file  METADATA=file.csv"
	@echo "  SEGMENTER=jieba_next|jieba|jieba_fast|rjieba  (default jieba_next: jieba's tokens, sped up by jieba-next where it installs; jieba: jieba alone, the reference; the last two: opt-in)"
	@echo "  TEXT_COLUMN=name  (corpus tables)    PATH_PATTERN='{level}/{place}/{year}'  (metadata in paths)"
	@echo "  make -j1 topics: one stage at a time (by default two run side by side where the graph allows)"
	@echo "Every stage's options and defaults: .venv/bin/python -m pipeline <stage> --help"

# The report does not wait for the stability runs (quality): written as soon as the topics are,
# it says stability is on its way, and is written again here once they are done.
topics: $(STAGE_TARGETS) ## run the whole pipeline
	@if grep -qF '$(PENDING_MARK)' $(REPORT_TARGET) \
		|| (for shown in $(REPORT_SHOWS); do [ "$$shown" -nt $(REPORT_TARGET) ] && exit 0; done; exit 1); then \
		$(STAGE) report $(call options,REPORT); fi
	@$(STAGE) leftovers
	@echo "Results are in $(OUTPUT)/: start with report.html (opens offline in any browser); its last section lists every table and figure with what it holds"

test: $(READY) $(VENV)/.segmenters ## run the tests (quick; includes end-to-end runs on the seeds)
	$(PY) -m pytest -m "not slow" -q

test-all: $(READY) $(VENV)/.segmenters ## run every test, slow ones included
	$(PY) -m pytest -q

bench: $(READY) ## scale benchmark: the pipeline on a synthetic MB-sized corpus (MB=100, K=20), CORPUS=name of ../shared/corpora, or both (its paragraphs recombined to MB); QUICK=1: end to end, sizes, stopword loop only
	@$(PY) -m pip install --quiet --disable-pip-version-check -e '.[bench]'
	$(PY) tests/benchmarks/bench_scale.py $(if $(MB),--mb $(MB)) --k $(or $(K),20) $(if $(JOBS),--jobs $(JOBS)) $(if $(CORPUS),--corpus $(CORPUS)) $(if $(QUICK),--quick)

bench-quality: $(READY) ## topic quality: NPMI and diversity vs naive, scikit-learn and tomotopy LDA (INPUT=)
	@$(PY) -m pip install --quiet --disable-pip-version-check -e '.[bench]'
	$(PY) tests/benchmarks/bench_quality.py --input $(INPUT) $(if $(SEED),--seed $(SEED)) $(if $(JOBS),--jobs $(JOBS)) $(if $(K_RANGE),--k-range $(K_RANGE))

bench-segmenters: $(READY) ## each SEGMENTER= against jieba, the reference on ../shared/corpora: speed, share of paragraphs cut alike (CORPUS=name: one)
	@$(PY) -m pip install --quiet --disable-pip-version-check -e '.[bench,$(subst _,-,$(subst $(space),$(comma),$(OPT_IN_SEGMENTERS)))]'
	$(PY) tests/benchmarks/bench_segmenters.py $(if $(CORPUS),--corpus $(CORPUS))

eval: $(READY) ## the pipeline on every real corpus in ../shared/corpora, with an EVAL line each (CORPUS=name: one)
	@$(PY) -m pip install --quiet --disable-pip-version-check -e '.[bench]'
	$(PY) tests/benchmarks/eval_corpora.py $(if $(CORPUS),--corpus $(CORPUS)) $(if $(JOBS),--jobs $(JOBS))

accept-terms: $(READY) ## add the terms marked in terms/term_candidates.csv (or TERMS="词1 词2") to DICTIONARY
	$(STAGE) accept-terms $(call options,ACCEPT) $(TERMS)
ACCEPT_VARS := DICTIONARY THEMES

accept-stopwords: $(READY) ## add the words marked in terms/stopword_candidates.csv (or WORDS="工作 推进") to the genre stopword list
	$(STAGE) accept-stopwords $(call options,ACCEPT_STOPWORDS) $(WORDS)
ACCEPT_STOPWORDS_VARS := STOPWORDS THEMES

accept-theme: $(READY) ## track THEME="词" (from themes/emerging_terms.csv, say) as a theme: added to THEMES and DICTIONARY
	$(STAGE) accept-theme $(call options,ACCEPT) $(THEME)

clean: ## delete generated results in OUTPUT
	$(if $(strip $(OUTPUT)),,$(error OUTPUT is empty: name the results folder))
	rm -rf $(addprefix $(OUTPUT)/,$(OUTPUT_ENTRIES) .params)

# ---- setup: a virtual environment with the project installed ---------------------------------
$(READY): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "Installing the project and its dependencies into $(VENV) (first run only, about a minute)..."
	@$(PY) -m pip install --disable-pip-version-check --progress-bar on -e '.[test]'
	@# jieba-next, the segmenter's accelerator (about 3x), where a wheel exists: never built from source.
	@$(PY) -m pip install --quiet --disable-pip-version-check --only-binary=jieba-next -e '.[fast]' >/dev/null 2>&1 \
		|| echo "note: jieba-next (the segmenter's accelerator) has no wheel here; jieba segments instead (same tokens, slower)."
	@touch $@

$(VENV)/.segmenter-%: pyproject.toml | $(READY)
	@echo "Installing the segmenter $* (first use only)..."
	@$(PY) -m pip install --disable-pip-version-check --progress-bar on -e '.[$(subst _,-,$*)]'
	@touch $@

# For make test: every opt-in segmenter that installs here (jieba_fast needs a C compiler); the
# tests of one that does not are skipped.
$(VENV)/.segmenters: pyproject.toml | $(READY)
	@echo "Installing the opt-in segmenters for their tests (first run only)..."
	@for s in $(OPT_IN_SEGMENTERS); do $(PY) -m pip install --quiet --disable-pip-version-check -e ".[$${s//_/-}]" \
		|| echo "warning: segmenter $$s could not be installed; its tests will be skipped"; done
	@touch $@

# ---- parameter stamps: rewritten only when their content changes -------------------------------
define stamp
	@mkdir -p $(@D)
	@printf '%s\n' $(1) > $@.new
	@if cmp -s $@.new $@; then rm -f $@.new; else mv -f $@.new $@; fi
endef

# One stamp per stage, with the values of the variables that set its parameters; clean's also
# lists the input folder's files (name, size, time), so an added or edited report reruns it.
$(PARAMS)/%: FORCE
	$(call stamp,"$(foreach v,$($*_VARS),$(v)=$($(v)))" $(if $(filter INPUT,$($*_VARS)),"$$(find -L $(INPUT) -type f -printf '%P %s %T@\n' 2>/dev/null | LC_ALL=C sort)"))

# A user's input file that is missing: a clear error naming it, not make's "No rule to make target".
$(sort $(foreach s,$(STAGE_NAMES),$(call files_of,$(s)))):
	@echo "error: $@: file not found (check STOPWORDS=, DICTIONARY=, THEMES=, RULES=, METADATA=)" >&2; exit 2

# ---- stages: one rule each, made from the declarations in pipeline/artifacts.py ----------------
# A stage's rule: its target from its prerequisites (see needs), after the stages it must follow
# (order) and the stages showing it; an opt-in segmenter (SEGMENTER=jieba_fast ...) is installed
# on its first use, that one only. Not echoed: the stage prints its own command, as every line it
# prints, after its name.
installs = $(if $(filter SEGMENTER,$($(1)_VARS)),$(addprefix $(VENV)/.segmenter-,$(filter $(OPT_IN_SEGMENTERS),$(SEGMENTER))))
define stage_rule
$$($(1)_TARGET): $$(call needs,$(1)) | $$(READY) $$(call order,$(1)) $$($(1)_SHOWN_BY) $$(call installs,$(1))
	@$$(STAGE) $$($(1)_NAME) $$(call options,$(1))
endef
$(foreach s,$(STAGE_NAMES),$(eval $(call stage_rule,$(s))))
