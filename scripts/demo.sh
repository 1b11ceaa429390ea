#!/usr/bin/env bash
# The README demo: on the embedded MiniLM, offline, under 10 minutes on 2 CPU cores.
# 1. full continued pre-training on Dutch clinical text (the study's reference path);
# 2. two LoRA adapters on the frozen base: nl-clin (Dutch clinical), ro-bio (Romanian biomedical);
# 3. their exact composition, as a stacked adapter and merged into a plain model;
# 4. the cross-lingual matrix: held-out perplexity of every variant on nl, ro and es text;
# 5. the study's protocol in miniature: base vs ro-bio vs nl-clin+ro-bio on Romanian NER
#    (120 sentences of the stand-in MoNERo-format set, 3 folds, 4 epochs).
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1
corpora=adapterkit/data/corpora
common=(--base minilm --max-seq-len 128 --batch-size 8 --grad-accum 1 --max-steps 100 --save-steps 50 --force)

echo "== 1/6 full continued pre-training: models/demo-nl-clin-full"
adapterkit pretrain --full --name demo-nl-clin-full --corpus "$corpora/nl-clin.txt" \
  --language nl --domain clinical "${common[@]}"
echo "== 2/6 LoRA adapter nl-clin"
adapterkit pretrain --name nl-clin --corpus "$corpora/nl-clin.txt" --language nl --domain clinical "${common[@]}"
echo "== 3/6 LoRA adapter ro-bio"
adapterkit pretrain --name ro-bio --corpus "$corpora/ro-bio.txt" --language ro --domain biomedical "${common[@]}"
echo "== 4/6 compose nl-clin + ro-bio: stacked adapter, and merged model"
adapterkit compose nl-clin ro-bio --force
adapterkit compose nl-clin ro-bio --how merge --name nl-clin+ro-bio-merged --force
echo "== 5/6 cross-lingual matrix (held-out perplexity; the 'base' head is untrained)"
adapterkit eval-mlm base nl-clin ro-bio nl-clin+ro-bio models/nl-clin+ro-bio-merged models/demo-nl-clin-full \
  --corpus "$corpora/nl-clin.txt" --corpus "$corpora/ro-bio.txt" --corpus "$corpora/es-clin.txt" \
  --max-seq-len 128 --out runs/demo/matrix.md --out runs/demo/matrix.csv --out runs/demo/matrix.json
echo "== 6/6 compare on Romanian NER: base vs ro-bio vs nl-clin+ro-bio (full fine-tuning, 3-fold CV)"
mkdir -p runs/demo
awk -v RS= -v ORS='\n\n' 'NR <= 120' adapterkit/data/tasks/ro-ner.conll > runs/demo/ro-ner-120.conll
adapterkit compare base ro-bio nl-clin+ro-bio --data runs/demo/ro-ner-120.conll --base minilm \
  --folds 3 --epochs 4 --batch-size 8 --lr 3e-4 --max-seq-len 128 --run-id demo-ro-ner --force
echo
adapterkit adapters list
echo "matrix: runs/demo/matrix.{md,csv,json}; comparison: runs/demo-ro-ner/comparison.{md,csv,json}"
