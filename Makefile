# The pipeline's map. Each stage is one `python -m pipeline <stage>` call whose target is the
# file it writes last, so an interrupted stage never looks finished.
#
#   reports (INPUT) --clean--> clean/paragraphs.csv --segment--> segment/segmented.tsv (jieba cache)
#       --filter (stopwords)--> segment/tokens.tsv --lda--> lda/  --themes--> themes/ --plots--> plots/
#                                                  \--tfidf--> tfidf/
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

STOPWORD_FILES := $(if $(wildcard $(STOPWORDS)/.),$(wildcard $(STOPWORDS)/*.txt),$(STOPWORDS))
code = pipeline/$(1).py pipeline/files.py

.PHONY: help topics test test-all bench clean FORCE

help: ## list targets and variables
	@echo "Targets:"
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | awk -F'\t' '{printf "  make %-10s %s\n", $$1, $$2}'
	@echo "Variables (make topics VAR=value):"
	@echo "  INPUT=$(INPUT)  folder of reports    OUTPUT=$(OUTPUT)  results folder"
	@echo "  K=$(K)  topics    SEED=$(SEED)  random seed    PASSES=$(PASSES)  LDA passes (0 = auto)"
	@echo "  JOBS=$(JOBS)  segmentation processes    STOPWORDS=$(STOPWORDS)  stopword folder or file"
	@echo "  DICTIONARY=$(DICTIONARY)  THEMES=$(THEMES)  RULES=$(RULES)  METADATA=$(METADATA)"

topics: $(TOPICS) $(KEYWORDS) $(THEMED) $(PLOTTED) ## run the whole pipeline
	@echo "Results are in $(OUTPUT)/: lda/topics.csv, lda/document_topics.csv, tfidf/keywords.csv, themes/theme_counts.csv, plots/*.png"

test: $(READY) ## run the tests (quick; includes an end-to-end run on the seeds)
	$(PY) -m pytest -m "not slow" -q

test-all: $(READY) ## run every test, slow ones included
	$(PY) -m pytest -q

clean: ## delete generated results in OUTPUT
	rm -rf $(addprefix $(OUTPUT)/,clean segment lda tfidf themes plots .params)

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
	$(call stamp,"K=$(K) SEED=$(SEED) PASSES=$(PASSES)")

# ---- stages ------------------------------------------------------------------------------------
$(CLEANED): $(PARAMS)/input $(RULES) $(METADATA) $(call code,clean) pipeline/readers.py pipeline/metadata.py | $(READY)
	$(STAGE) clean --input $(INPUT) --output $(OUTPUT) --rules $(RULES) $(if $(METADATA),--metadata $(METADATA))

$(SEGMENTED): $(CLEANED) $(DICTIONARY) $(call code,segment) | $(READY)
	$(STAGE) segment --output $(OUTPUT) --dictionary $(DICTIONARY) --jobs $(JOBS)

$(TOKENS): $(SEGMENTED) $(STOPWORD_FILES) $(PARAMS)/filter | $(READY)
	$(STAGE) filter --output $(OUTPUT) --stopwords $(STOPWORDS)

$(TOPICS): $(TOKENS) $(PARAMS)/lda $(call code,lda) | $(READY)
	$(STAGE) lda --output $(OUTPUT) -k $(K) --seed $(SEED) --passes $(PASSES)

$(KEYWORDS): $(TOKENS) $(call code,tfidf) | $(READY)
	$(STAGE) tfidf --output $(OUTPUT)

$(THEMED): $(TOPICS) $(CLEANED) $(THEMES) $(call code,themes) | $(READY)
	$(STAGE) themes --output $(OUTPUT) --themes $(THEMES)

$(PLOTTED): $(TOPICS) $(KEYWORDS) $(THEMED) $(call code,plots) | $(READY)
	$(STAGE) plots --output $(OUTPUT)
	@touch $@
