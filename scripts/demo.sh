#!/usr/bin/env bash
# The README demo: on the embedded MiniLM, offline, under 10 minutes on 2 CPU cores.
# 1. full continued pre-training on Dutch clinical text (the study's reference path);
# 2. two LoRA adapters on the frozen base: nl-clin (Dutch clinical), ro-bio (Romanian biomedical);
# 3. their exact composition, as a stacked adapter and merged into a plain model;
# 4. the cross-lingual matrix: held-out perplexity of every variant on nl, ro and es text.
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1
corpora=adapterkit/data/corpora
common=(--base minilm --max-seq-len 128 --batch-size 8 --grad-accum 1 --max-steps 120 --save-steps 60 --force)

echo "== 1/5 full continued pre-training: models/demo-nl-clin-full"
adapterkit pretrain --full --name demo-nl-clin-full --corpus "$corpora/nl-clin.txt" \
  --language nl --domain clinical "${common[@]}"
echo "== 2/5 LoRA adapter nl-clin"
adapterkit pretrain --name nl-clin --corpus "$corpora/nl-clin.txt" --language nl --domain clinical "${common[@]}"
echo "== 3/5 LoRA adapter ro-bio"
adapterkit pretrain --name ro-bio --corpus "$corpora/ro-bio.txt" --language ro --domain biomedical "${common[@]}"
echo "== 4/5 compose nl-clin + ro-bio: stacked adapter, and merged model"
adapterkit compose nl-clin ro-bio --force
adapterkit compose nl-clin ro-bio --how merge --name nl-clin+ro-bio-merged --force
echo "== 5/5 cross-lingual matrix (held-out perplexity; the 'base' head is untrained)"
adapterkit eval-mlm base nl-clin ro-bio nl-clin+ro-bio models/nl-clin+ro-bio-merged models/demo-nl-clin-full \
  --corpus "$corpora/nl-clin.txt" --corpus "$corpora/ro-bio.txt" --corpus "$corpora/es-clin.txt" \
  --max-seq-len 128 --out runs/demo/matrix.md --out runs/demo/matrix.csv --out runs/demo/matrix.json
echo
adapterkit adapters list
echo "matrix written to runs/demo/matrix.{md,csv,json}"
