"""A tiny, valid .argosmodel built offline: a copy model with a glossary, for exact test output."""

from __future__ import annotations

import io
import json
import math
import random
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np

# Characters every tiny model knows as pieces of its own (anything else is copied as unknown).
ALPHABET = (
    "abcdefghijklmnopqrstuvwxyzäöüßABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÜ0123456789"
    ".,;:!?-–()\"'„“/&%+*=[]{}<>@#§…"
)
# Words the SentencePiece model learns as pieces (German, English), so pieces look like a model's.
FILLER = [
    "Schule", "Eltern", "Kinder", "Familie", "Beratung", "Angebot", "Sprache", "Kurs", "Kreis",
    "helfen", "lernen", "und", "oder", "mit", "für", "die", "der", "das", "ein", "eine",
    "school", "parents", "children", "family", "course",
]  # fmt: skip


def build_argosmodel(
    path: Path,
    from_code: str,
    to_code: str,
    glossary: Mapping[str, str] | None = None,
    *,
    version: str = "1.0",
    extra_words: Iterable[str] = (),
    max_positions: int = 1024,
) -> Path:
    """Write a package that copies its input piece by piece, mapping glossary words.

    The SentencePiece model (unigram, identity normalisation) is trained on generated lines;
    every glossary word is a piece of its own, so `glossary` maps whole words. The 1-layer
    Transformer is set by hand: one-hot token and position blocks, cross-attention from decoder
    step t to source position t, the source's end-of-sentence token as the stopping sink.
    """
    import sentencepiece as spm

    glossary = dict(glossary or {})
    symbols = sorted({f"▁{w}" for pair in glossary.items() for w in pair})
    words = FILLER + list(extra_words) + [w for pair in glossary.items() for w in pair]
    rnd = random.Random(0)
    lines = [" ".join(rnd.choice(words) for _ in range(10)) for _ in range(400)]
    lines += [ALPHABET, " ".join(ALPHABET)]
    proto = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=proto,
        vocab_size=200,
        hard_vocab_limit=False,
        model_type="unigram",
        normalization_rule_name="identity",
        character_coverage=1.0,
        user_defined_symbols=symbols,
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
        minloglevel=2,
    )
    sp = spm.SentencePieceProcessor(model_proto=proto.getvalue())
    vocab = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
    index = {piece: i for i, piece in enumerate(vocab)}
    mapping = np.eye(len(vocab), dtype=np.float32)  # mapping[target, source]
    for source, target in glossary.items():
        s, t = index[f"▁{source}"], index[f"▁{target}"]
        mapping[s, s] = 0.0
        mapping[t, s] = 1.0

    with tempfile.TemporaryDirectory() as tmp:
        model_dir = Path(tmp) / "model"
        model_dir.mkdir()
        _copy_spec(vocab, mapping, max_positions).save(str(model_dir))
        metadata = {
            "package_version": version,
            "argos_version": "1.0",
            "from_code": from_code,
            "from_name": from_code,
            "to_code": to_code,
            "to_name": to_code,
            "type": "translate",
        }
        root = f"translate-{from_code}_{to_code}-{version.replace('.', '_')}"
        path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(f"{root}/metadata.json", json.dumps(metadata, indent=2))
            archive.writestr(f"{root}/sentencepiece.model", proto.getvalue())
            for file in sorted(model_dir.iterdir()):
                archive.write(file, f"{root}/model/{file.name}")
    return path


def _copy_spec(vocab: list[str], mapping: np.ndarray, max_positions: int):
    from ctranslate2.specs import transformer_spec

    v = len(vocab)
    side = math.isqrt(max_positions - 1) + 1  # position t = (t // side, t % side), two one-hots
    d = v + 2 * side  # [token | position row | position column]
    tok, pos = slice(0, v), slice(v, d)
    spec = transformer_spec.TransformerSpec.from_config(1, 1, no_final_norm=True)
    spec.config.add_source_eos = True  # the end-of-sentence sink the decoder stops on
    encodings = np.zeros((side * side, d), np.float32)
    for t in range(side * side):
        encodings[t, v + t // side] = encodings[t, v + side + t % side] = 1.0
    embeddings = np.zeros((v, d), np.float32)
    embeddings[:, tok] = np.eye(v, dtype=np.float32)
    spec.encoder.embeddings[0].weight = embeddings
    spec.decoder.embeddings.weight = np.zeros((v, d), np.float32)  # steps know only their place
    for part in (spec.encoder, spec.decoder):
        part.scale_embeddings = False
        part.position_encodings.encodings = encodings

    def zero_linear(linear, out: int, inp: int) -> None:
        linear.weight = np.zeros((out, inp), np.float32)
        linear.bias = np.zeros((out,), np.float32)

    def unit_norm(norm) -> None:
        norm.gamma = np.ones((d,), np.float32)
        norm.beta = np.zeros((d,), np.float32)

    for layer in (spec.encoder.layer[0], spec.decoder.layer[0]):
        unit_norm(layer.self_attention.layer_norm)
        zero_linear(layer.self_attention.linear[0], 3 * d, d)
        zero_linear(layer.self_attention.linear[1], d, d)
        unit_norm(layer.ffn.layer_norm)
        zero_linear(layer.ffn.linear_0, 4, d)
        zero_linear(layer.ffn.linear_1, d, 4)
    cross = spec.decoder.layer[0].attention
    unit_norm(cross.layer_norm)
    # Step t attends source position t: both one-hots match there, at most one elsewhere.
    query = np.zeros((d, d), np.float32)
    query[pos, pos] = 60.0 * np.eye(2 * side, dtype=np.float32)
    key_value = np.zeros((2 * d, d), np.float32)
    key_value[pos, pos] = np.eye(2 * side, dtype=np.float32)
    key_value[d + tok.start : d + tok.stop, tok] = np.eye(v, dtype=np.float32)  # copy the token
    output = np.zeros((d, d), np.float32)
    output[tok, tok] = np.eye(v, dtype=np.float32)
    for linear, weight in zip(cross.linear, (query, key_value, output), strict=True):
        linear.weight = weight
        linear.bias = np.zeros((weight.shape[0],), np.float32)
    projection = np.zeros((v, d), np.float32)
    projection[:, tok] = 30.0 * mapping
    spec.decoder.projection.weight = projection
    spec.decoder.projection.bias = np.zeros((v,), np.float32)
    spec.register_source_vocabulary(vocab)
    spec.register_target_vocabulary(vocab)
    spec.validate()
    spec.optimize()
    return spec
