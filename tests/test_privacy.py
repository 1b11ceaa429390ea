"""Privacy: the membership figures against scikit-learn, canaries and exposure, the recovered split,
pretrain's privacy options, and the DP run's ε against Opacus' own accountant."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from conftest import pretrain_config, train_adapter
from sklearn.metrics import roc_auc_score

from adapterkit.cli import main
from adapterkit.corpus import read_corpus, split_heldout
from adapterkit.errors import AdapterkitError
from adapterkit.manifest import MANIFEST, AdapterManifest
from adapterkit.privacy import canaries as canary_lib
from adapterkit.privacy.membership import attack_figures, recover_split, sample_lines
from adapterkit.sharing import shareable_manifest

# --------------------------------------------------------------------------- membership figures


def test_attack_figures_are_sklearns_auc_and_chance_lies_in_the_interval_of_indistinguishable_scores():
    rng = np.random.default_rng(3)
    members, others = rng.normal(size=300), rng.normal(size=300)
    figures = attack_figures(members, others)
    labels = np.r_[np.ones(300), np.zeros(300)]
    assert figures["auc"] == pytest.approx(roc_auc_score(labels, np.r_[members, others]))
    assert figures["auc_low"] <= 0.5 <= figures["auc_high"]
    assert figures["auc_high"] - figures["auc_low"] < 0.15
    assert figures["train_lines"] == figures["heldout_lines"] == 300


def test_separated_scores_give_auc_one_and_full_recall_at_low_false_positive_rates():
    figures = attack_figures(np.linspace(5, 6, 50), np.linspace(0, 1, 50))
    assert figures["auc"] == 1.0 and figures["auc_low"] == pytest.approx(1.0)
    assert figures["tpr_at_1pct_fpr"] == figures["tpr_at_0.1pct_fpr"] == 1.0
    # one held-out line scoring above every member: no ROC point at FPR 0 recalls anything
    figures = attack_figures(np.linspace(5, 6, 50), np.r_[np.linspace(0, 1, 49), 9.0])
    assert figures["tpr_at_0.1pct_fpr"] == 0.0 and figures["tpr_at_1pct_fpr"] == 0.0
    assert figures["auc"] == pytest.approx(49 / 50)


def test_too_few_scored_lines_is_a_one_line_error():
    with pytest.raises(AdapterkitError, match="at least 2 of each"):
        attack_figures(np.array([1.0, np.nan]), np.array([0.0, 0.5]))


# --------------------------------------------------------------------------- canaries


def test_canaries_have_the_shape_of_their_language_and_parse_back_to_their_fields():
    lines = canary_lib.make_canaries(5, ["nl"])
    assert len(set(lines)) == 5
    sentence = canary_lib.TEMPLATES["nl"]
    for line in lines:
        secret = canary_lib.parse(sentence, line)
        (a, b), (c, d) = secret.spans
        assert line[a:b].isdigit() and len(line[a:b]) == 8
        day, month, year = line[c:d].split("-")
        assert 1 <= int(day) <= 28 and 1 <= int(month) <= 12 and 1930 <= int(year) < 2020
        assert line.startswith("Patiënt met nummer ")
    assert canary_lib.template(["xx", "ro"]) == canary_lib.TEMPLATES["ro"]


def test_canaries_are_not_drawn_from_a_seed_and_candidates_share_the_canarys_context_and_piece_count(
    embedded_path,
):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(embedded_path)
    assert canary_lib.make_canaries(3, ["en"]) != canary_lib.make_canaries(3, ["en"])
    planted = canary_lib.make_canaries(3, ["en"])
    secret = canary_lib.parse(canary_lib.TEMPLATES["en"], planted[0])
    (start, end), _ = secret.spans
    pool = canary_lib.candidate_numbers(tokenizer, secret, 2000, seed=1, exclude=planted)
    encoded = tokenizer(planted[0], return_offsets_mapping=True)
    pairs = zip(encoded["input_ids"], encoded["offset_mapping"], strict=True)
    own = [piece for piece, (a, b) in pairs if start <= a and b <= end and b > a]
    assert tokenizer.decode(own).replace(" ", "") == planted[0][start:end]
    assert len(pool) == len({tuple(p) for p in pool}) == 2000
    assert all(len(pieces) == len(own) for pieces in pool) and own not in pool
    assert pool == canary_lib.candidate_numbers(tokenizer, secret, 2000, seed=1, exclude=planted)


def test_insert_canaries_keeps_every_training_line_in_order_and_adds_each_canary_r_times():
    train = [f"line {i}" for i in range(50)]
    planted = ["canary a", "canary b"]
    mixed = canary_lib.insert_canaries(train, planted, repeats=4, seed=0)
    assert [line for line in mixed if line.startswith("line")] == train
    assert mixed.count("canary a") == mixed.count("canary b") == 4
    assert mixed.index("canary a") != 50  # spread, not appended


def test_exposure_is_log2_candidates_plus_one_minus_log2_rank():
    others = list(range(1, 1024))  # 1023 candidates
    assert canary_lib.exposure(5000.0, others) == pytest.approx(10.0)  # first of 1024
    assert canary_lib.exposure(0.0, others) == pytest.approx(0.0)  # last
    assert canary_lib.exposure(512.0, others) == pytest.approx(10 - math.log2(1 + 512))


# --------------------------------------------------------------------------- the split, recovered


def test_recover_split_gives_back_pretrains_split_and_refuses_changed_files(tmp_path, nl_corpus):
    corpus = tmp_path / "notes.txt"
    corpus.write_text("\n".join(nl_corpus.read_text(encoding="utf-8").splitlines()[:120]) + "\n", encoding="utf-8")
    lines, report = read_corpus([corpus])
    manifest = AdapterManifest.from_dict(
        {
            "name": "x",
            "kind": "domain",
            "base": {"id": "minilm"},
            "corpus": {"files": [r.to_dict() for r in report.files], "heldout_fraction": 0.2},
            "hyperparameters": {"seed": 7},
        }
    )
    split = recover_split(manifest)
    assert (split.train, split.heldout) == split_heldout(lines, 0.2, 7)
    members, others = sample_lines(split, 10, seed=0)
    assert len(members) == len(others) == 10 and set(others) <= set(split.heldout) and set(members) <= set(split.train)
    moved = tmp_path / "moved.txt"
    moved.write_bytes(corpus.read_bytes())
    corpus.write_text("another text\n" + corpus.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(AdapterkitError, match="differ from those it was trained on"):
        recover_split(manifest)
    assert recover_split(manifest, [moved]) == split  # --corpus: the same content elsewhere


# --------------------------------------------------------------------------- pretrain's options


@pytest.mark.parametrize(
    ("settings", "says"),
    [
        ({"full": True}, "--dp-epsilon with --full"),
        ({"streaming": True, "max_steps": 2}, "--dp-epsilon with --streaming"),
        ({"dp_epsilon": -1.0}, "--dp-epsilon -1.0"),
        ({"dp_delta": 1.5}, "--dp-delta 1.5"),
    ],
)
def test_impossible_dp_settings_are_refused_before_anything_is_loaded(settings, says, tmp_path):
    config = pretrain_config("minilm", tmp_path / "none.txt", "x", **({"dp_epsilon": 8.0} | settings))
    with pytest.raises(AdapterkitError, match=says.replace("-", r"\-").replace(".", r"\.")):
        config.validate()


def test_full_with_dp_on_the_command_line_is_one_line_exit_2(workdir, small_corpus, capsys):
    argv = ["pretrain", "--corpus", str(small_corpus), "--name", "x", "--base", "minilm", "--full", "--dp-epsilon", "8"]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: --dp-epsilon with --full") and "\n" not in err


def test_dp_options_without_an_epsilon_and_canaries_with_streaming_are_refused(tmp_path):
    with pytest.raises(AdapterkitError, match="give --dp-epsilon"):
        pretrain_config("minilm", tmp_path / "c.txt", "x", dp_delta=1e-5).validate()
    with pytest.raises(AdapterkitError, match="--canaries: not with --streaming"):
        pretrain_config("minilm", tmp_path / "c.txt", "x", canaries=2, streaming=True, max_steps=3).validate()


# --------------------------------------------------------------------------- a DP run


@pytest.fixture(scope="module")
def dp_adapter(tmp_path_factory, tiny_bert, nl_corpus):
    root = tmp_path_factory.mktemp("dp")
    corpus = root / "notes.txt"
    corpus.write_text("\n".join(nl_corpus.read_text(encoding="utf-8").splitlines()[:160]) + "\n", encoding="utf-8")
    folder = train_adapter(
        tiny_bert, corpus, root, "nl-dp", max_steps=6, batch_size=4, grad_accum=2, max_seq_len=32, block_mode="line",
        dp_epsilon=3.0, dp_max_grad_norm=0.5, domain="clinical", language=["nl"], canaries=2, canary_repeats=2,
        private_corpus=True, train_head="yes", save_steps=100,
    )  # fmt: skip
    return folder, corpus


def test_dp_epsilon_recorded_is_opacus_accountants_for_the_recorded_steps_rate_and_noise(dp_adapter):
    from opacus.accountants import RDPAccountant
    from opacus.accountants.utils import get_noise_multiplier

    folder, _ = dp_adapter
    dp = json.loads((folder / MANIFEST).read_text())["privacy"]["dp"]
    accountant = RDPAccountant()
    for _ in range(dp["steps"]):  # step by step, as the optimizer hook counts them
        accountant.step(noise_multiplier=dp["noise_multiplier"], sample_rate=dp["sample_rate"])
    assert dp["epsilon"] == pytest.approx(accountant.get_epsilon(dp["delta"]), rel=1e-9)
    assert dp["epsilon"] <= dp["target_epsilon"] * 1.01
    assert dp["steps"] == 6 and dp["max_grad_norm"] == 0.5 and dp["accountant"] == "rdp"
    blocks = round(4 * 2 / dp["sample_rate"])
    assert dp["delta"] == pytest.approx(1 / blocks)
    expected_noise = get_noise_multiplier(
        target_epsilon=3.0, target_delta=dp["delta"], sample_rate=dp["sample_rate"], steps=6, accountant="rdp"
    )
    assert dp["noise_multiplier"] == pytest.approx(expected_noise)
    card = (folder / "README.md").read_text()
    assert f"ε = {dp['epsilon']:.2f}" in card and "Opacus" in card


def test_dp_training_changes_only_the_trainable_weights_and_saves_a_plain_peft_adapter(dp_adapter, tiny_bert):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForMaskedLM

    folder, _ = dp_adapter
    model = PeftModel.from_pretrained(AutoModelForMaskedLM.from_pretrained(tiny_bert), folder)
    lora_b = [p for name, p in model.named_parameters() if "lora_B" in name]
    assert lora_b and any(float(p.abs().sum()) > 0 for p in lora_b)  # B starts at zero: the noisy steps moved it
    assert all(torch.isfinite(p).all() for p in lora_b)


def test_canaries_stay_in_the_private_section_which_the_shared_manifest_drops(dp_adapter):
    folder, corpus = dp_adapter
    manifest = json.loads((folder / MANIFEST).read_text())
    planted = manifest["private"]["canaries"]
    assert len(planted) == 2
    assert manifest["privacy"]["canaries"] == {"count": 2, "repeats": 2, "shape": "patient-number-date"}
    assert manifest["privacy"]["private_corpus"] is True
    shared = json.dumps(shareable_manifest(manifest), ensure_ascii=False)
    card = (folder / "README.md").read_text()
    for line in planted:
        assert line not in shared and line not in card
    (start, end), _ = canary_lib.parse(canary_lib.TEMPLATES["nl"], planted[0]).spans
    assert planted[0][start:end] not in shared and planted[0][start:end] not in card  # not even the number
    assert "private" not in json.loads(shared)



def test_opacus_per_example_gradients_of_the_dp_loss_equal_autograd_on_each_example_alone(tiny_bert):
    import torch
    from opacus import GradSampleModule
    from peft import LoraConfig, get_peft_model

    from adapterkit.models import load_masked_lm, resolve_base
    from adapterkit.privacy.dp import per_example_loss

    torch.manual_seed(0)
    model, _ = load_masked_lm(resolve_base(str(tiny_bert)))
    head = ["cls.predictions.transform"]
    lora = LoraConfig(r=4, lora_alpha=8, target_modules=["query", "value"], modules_to_save=head)
    model = get_peft_model(model, lora)
    for name, parameter in model.named_parameters():  # B starts at zero: give every LoRA weight a gradient
        if "lora_B" in name:
            torch.nn.init.normal_(parameter, std=0.1)
    for module in model.modules():  # no dropout: the same function per example both ways (Opacus hooks need train mode)
        if isinstance(module, torch.nn.Dropout):
            module.p = 0.0
    model.train()
    ids = torch.randint(1000, 2000, (3, 12))
    labels = torch.full_like(ids, -100)
    labels[0, [2, 5]], labels[1, [1]], labels[2, [3, 4, 9]] = ids[0, [2, 5]], ids[1, [1]], ids[2, [3, 4, 9]]
    batch = {"input_ids": ids, "attention_mask": torch.ones_like(ids), "labels": labels}
    wrapped = GradSampleModule(model, batch_first=True, loss_reduction="mean")
    per_example_loss(wrapped, batch).backward()
    trainable = [(name, p) for name, p in model.named_parameters() if p.requires_grad]
    samples = {name: p.grad_sample.detach().clone() for name, p in trainable}
    wrapped._close()
    for row in range(3):
        model.zero_grad()
        one = {key: value[row : row + 1] for key, value in batch.items()}
        per_example_loss(model, one).backward()
        for name, parameter in trainable:
            assert torch.allclose(samples[name][row], parameter.grad, atol=1e-6), (name, row)


def test_composing_a_dp_adapter_with_a_plain_one_needs_the_weaker_guarantee_accepted():
    from types import SimpleNamespace

    from adapterkit.privacy.publishing import check_dp_mix

    def part(name: str, dp: dict | None):
        privacy = {"private_corpus": False, **({"dp": dp} if dp else {})}
        data = {"name": name, "kind": "domain", "base": {"id": "minilm"}, "privacy": privacy}
        manifest = AdapterManifest.from_dict(data)
        return SimpleNamespace(name=name, manifest=manifest)

    dp = {"epsilon": 3.0, "delta": 1e-5, "noise_multiplier": 1.1, "sample_rate": 0.01, "steps": 9, "accountant": "rdp"}
    says = "nl-dp trained with differential privacy, ro without.*--accept-weaker-privacy"
    with pytest.raises(AdapterkitError, match=says):
        check_dp_mix([part("nl-dp", dp), part("ro", None)], accept_weaker=False)
    check_dp_mix([part("nl-dp", dp), part("ro", None)], accept_weaker=True)
    check_dp_mix([part("nl-dp", dp), part("ro-dp", dp)], accept_weaker=False)  # both private: fine
    check_dp_mix([part("nl", None), part("ro", None)], accept_weaker=False)
