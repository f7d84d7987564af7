# The pipeline's map. Each stage is one `python -m pipeline <stage>` call whose target is the
# file it writes last, so an interrupted stage never looks finished.
#
#   reports (INPUT) --clean--> clean/paragraphs.csv --segment--> segment/segmented.tsv (jieba cache)
#       --filter (stopwords)--> segment/tokens.tsv --lda--> lda/  --themes--> themes/ --plots--> plots/
#                                                  \--tfidf--> tfidf/
#       lda/ --quality--> quality/ (stability, topic descriptions)   segment/ --terms--> quality/term_candidates.csv
#       lda/ + themes/ --prevalence--> quality/ (by year and place)  K=auto: lda first sweeps K -> quality/k_*
#       all of the above --report--> report.html (one self-contained page) + explorer.html
#
# Parameters given on the command line (make topics K=6) are written to stamp files under
# $(OUTPUT)/.params/ only when their value changes, so they trigger exactly the stages they affect.

SHELL := /bin/bash
.DELETE_ON_ERROR:
.DEFAULT_GOAL := help

# ---- parameters (override on the command line) ------------------------------------------------
INPUT      ?= seeds
OUTPUT     ?= outputs
K          ?= 8
SEED       ?= 42
PASSES     ?= 0
JOBS       ?= $(shell nproc 2>/dev/null || echo 1)
STOPWORDS  ?= stopwords
DICTIONARY ?= config/domain_terms.txt
THEMES     ?= config/themes.txt
RULES      ?= config/boilerplate.txt
METADATA   ?=
PYTHON     ?= python3
K_RANGE    ?= 3:15
RUNS       ?= 5
TERMS      ?=

VENV    := .venv
PY      := $(VENV)/bin/python
STAGE   := $(PY) -m pipeline
READY   := $(VENV)/.installed
PARAMS  := $(OUTPUT)/.params

CLEANED   := $(OUTPUT)/clean/paragraphs.csv
SEGMENTED := $(OUTPUT)/segment/segmented.tsv
TOKENS    := $(OUTPUT)/segment/tokens.tsv
TOPICS    := $(OUTPUT)/lda/document_topics.csv
KEYWORDS  := $(OUTPUT)/tfidf/keywords.csv
THEMED    := $(OUTPUT)/themes/theme_counts.csv
PLOTTED   := $(OUTPUT)/plots/.complete
REPORT    := $(OUTPUT)/report.html
QUALITY   := $(OUTPUT)/quality/topic_descriptions.csv
PREVALENT := $(OUTPUT)/quality/theme_frequency_by_place.csv
CANDIDATES := $(OUTPUT)/quality/term_candidates.csv
AUTO_K    := $(filter auto,$(K))

STOPWORD_FILES := $(if $(wildcard $(STOPWORDS)/.),$(wildcard $(STOPWORDS)/*.txt),$(STOPWORDS))
code = pipeline/$(1).py pipeline/files.py

.PHONY: help topics test test-all bench bench-quality accept-terms clean FORCE

help: ## list targets and variables
	@echo "Targets:"
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | awk -F'\t' '{printf "  make %-10s %s\n", $$1, $$2}'
	@echo "Variables (make topics VAR=value):"
	@echo "  INPUT=$(INPUT)  folder of reports    OUTPUT=$(OUTPUT)  results folder"
	@echo "  K=$(K)  topics, or auto (sweep K_RANGE=$(K_RANGE))    SEED=$(SEED)  random seed    PASSES=$(PASSES)  LDA passes (0 = auto)"
	@echo "  RUNS=$(RUNS)  models compared for topic stability    TERMS=\"词1 词2\"  for make accept-terms"
	@echo "  JOBS=$(JOBS)  cleaning and segmentation processes    STOPWORDS=$(STOPWORDS)  stopword folder or file"
	@echo "  DICTIONARY=$(DICTIONARY)  THEMES=$(THEMES)  RULES=$(RULES)  METADATA=$(METADATA)"

topics: $(TOPICS) $(KEYWORDS) $(THEMED) $(PLOTTED) $(QUALITY) $(PREVALENT) $(CANDIDATES) $(REPORT) ## run the whole pipeline
	@echo "Results are in $(OUTPUT)/: start with report.html (opens offline in any browser); also lda/topics.csv, lda/document_topics.csv, tfidf/keywords.csv, themes/theme_counts.csv, plots/*.png, quality/ (topic quality, prevalence by year and place, term candidates)"

test: $(READY) ## run the tests (quick; includes an end-to-end run on the seeds)
	$(PY) -m pytest -m "not slow" -q

test-all: $(READY) ## run every test, slow ones included
	$(PY) -m pytest -q

MB ?= 100
bench: $(READY) ## scale benchmark: the pipeline on a synthetic MB-sized corpus (MB=100, K=20)
	@$(PY) -m pip install --quiet --disable-pip-version-check -e '.[bench]'
	$(PY) tests/benchmarks/bench_scale.py --mb $(MB) --k $(if $(filter command line,$(origin K)),$(K),20) --jobs $(JOBS)

bench-quality: $(READY) ## topic quality: NPMI and diversity vs naive, scikit-learn and tomotopy LDA (INPUT=)
	@$(PY) -m pip install --quiet --disable-pip-version-check -e '.[bench]'
	$(PY) tests/benchmarks/bench_quality.py --input $(INPUT) --seed $(SEED) --jobs $(JOBS) --k-range $(K_RANGE)

accept-terms: $(READY) ## add the terms marked in quality/term_candidates.csv (or TERMS="词1 词2") to DICTIONARY
	$(STAGE) accept-terms --output $(OUTPUT) --dictionary $(DICTIONARY) --themes $(THEMES) $(TERMS)

clean: ## delete generated results in OUTPUT
	rm -rf $(addprefix $(OUTPUT)/,clean segment lda tfidf themes plots quality .params report.html explorer.html report.png)

# ---- setup: a virtual environment with the project installed ---------------------------------
$(READY): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "Installing the project into $(VENV) (first run only)..."
	@$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

# ---- parameter stamps: rewritten only when their content changes -------------------------------
define stamp
	@mkdir -p $(@D)
	@printf '%s\n' $(1) > $@.new
	@if cmp -s $@.new $@; then rm -f $@.new; else mv -f $@.new $@; fi
endef

$(PARAMS)/input: FORCE
	$(call stamp,"$$(find -L $(INPUT) -type f -printf '%P %s %T@\n' 2>/dev/null | LC_ALL=C sort)" "input=$(abspath $(INPUT)) metadata=$(METADATA)")
$(PARAMS)/filter: FORCE
	$(call stamp,"stopwords=$(STOPWORD_FILES)")
$(PARAMS)/lda: FORCE
	$(call stamp,"K=$(K) SEED=$(SEED) PASSES=$(PASSES)$(if $(AUTO_K), K_RANGE=$(K_RANGE))")
$(PARAMS)/quality: FORCE
	$(call stamp,"RUNS=$(RUNS)")

# ---- stages ------------------------------------------------------------------------------------
$(CLEANED): $(PARAMS)/input $(RULES) $(METADATA) $(call code,clean) pipeline/readers.py pipeline/metadata.py | $(READY)
	$(STAGE) clean --input $(INPUT) --output $(OUTPUT) --rules $(RULES) $(if $(METADATA),--metadata $(METADATA)) --jobs $(JOBS)

$(SEGMENTED): $(CLEANED) $(DICTIONARY) $(call code,segment) | $(READY)
	$(STAGE) segment --output $(OUTPUT) --dictionary $(DICTIONARY) --jobs $(JOBS)

$(TOKENS): $(SEGMENTED) $(STOPWORD_FILES) $(PARAMS)/filter | $(READY)
	$(STAGE) filter --output $(OUTPUT) --stopwords $(STOPWORDS)

$(TOPICS): $(TOKENS) $(PARAMS)/lda $(call code,lda) $(if $(AUTO_K),pipeline/quality.py) | $(READY)
	$(STAGE) lda --output $(OUTPUT) -k $(K) --seed $(SEED) --passes $(PASSES)$(if $(AUTO_K), --k-range $(K_RANGE) --jobs $(JOBS))

$(KEYWORDS): $(TOKENS) $(call code,tfidf) | $(READY)
	$(STAGE) tfidf --output $(OUTPUT)

$(THEMED): $(TOPICS) $(CLEANED) $(THEMES) $(call code,themes) | $(READY)
	$(STAGE) themes --output $(OUTPUT) --themes $(THEMES)

$(PLOTTED): $(TOPICS) $(KEYWORDS) $(THEMED) $(call code,plots) | $(READY)
	$(STAGE) plots --output $(OUTPUT)
	@touch $@

$(QUALITY): $(TOPICS) $(CLEANED) $(PARAMS)/quality $(call code,quality) pipeline/lda.py pipeline/plots.py | $(READY)
	$(STAGE) quality --output $(OUTPUT) --runs $(RUNS) --jobs $(JOBS)

$(PREVALENT): $(TOPICS) $(THEMED) $(CLEANED) $(call code,prevalence) pipeline/plots.py | $(READY)
	$(STAGE) prevalence --output $(OUTPUT)

$(CANDIDATES): $(SEGMENTED) $(STOPWORD_FILES) $(PARAMS)/filter $(DICTIONARY) $(THEMES) $(call code,terms) | $(READY)
	$(STAGE) terms --output $(OUTPUT) --stopwords $(STOPWORDS) --dictionary $(DICTIONARY) --themes $(THEMES)

# report.html is written last (after explorer.html); whatever exists in quality/ is shown too.
# quality/ is listed through the targets that write it, not a wildcard: a fixed K removes the
# K sweep's files during the run, and a vanished wildcard prerequisite stops make.
$(REPORT): $(PLOTTED) $(TOPICS) $(KEYWORDS) $(THEMED) $(CLEANED) $(QUALITY) $(PREVALENT) $(CANDIDATES) \
		$(call code,report) pipeline/plots.py $(wildcard pipeline/templates/*) | $(READY)
	$(STAGE) report --output $(OUTPUT)
