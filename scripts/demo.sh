#!/usr/bin/env bash
# The README demo: on the embedded MiniLM, offline, a few minutes on 2 CPU cores.
# Full continued pre-training on Dutch clinical text, then two LoRA adapters (nl-clin, ro-bio);
# each run prints the held-out perplexity of the base and of the result.
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1
corpora=adapterkit/data/corpora
common=(--base minilm --max-seq-len 128 --batch-size 8 --grad-accum 1 --max-steps 120 --save-steps 60 --force)

echo "== 1/3 full continued pre-training: models/demo-nl-clin-full"
adapterkit pretrain --full --name demo-nl-clin-full --corpus "$corpora/nl-clin.txt" \
  --language nl --domain clinical "${common[@]}"
echo "== 2/3 LoRA adapter nl-clin"
adapterkit pretrain --name nl-clin --corpus "$corpora/nl-clin.txt" --language nl --domain clinical "${common[@]}"
echo "== 3/3 LoRA adapter ro-bio"
adapterkit pretrain --name ro-bio --corpus "$corpora/ro-bio.txt" --language ro --domain biomedical "${common[@]}"
echo
adapterkit adapters list
