"""Writes a tiny masked-language model in distilbert-base-uncased's layout, for tests that cannot
fetch the real one (no Hugging Face Hub here).

    python make-tiny-distilbert.py VOCAB_TXT OUT_DIR

A DistilBertForMaskedLM from a small config (2 layers, dim 32), seeded so every run writes the same
weights, with the WordPiece vocabulary given (all-MiniLM-L6-v2's vocab.txt: the same 30,522-token
uncased vocabulary distilbert-base-uncased uses) and a fast tokenizer built from it. The files are
the ones the FillMask node loads: config.json, model.safetensors, the tokenizer files.
"""

import sys

import torch
from transformers import DistilBertConfig, DistilBertForMaskedLM, DistilBertTokenizerFast


def main(vocab_txt: str, out_dir: str) -> None:
    torch.manual_seed(0)
    # transformers 5 takes the WordPiece file as `vocab`.
    tokenizer = DistilBertTokenizerFast(vocab=vocab_txt, do_lower_case=True)
    config = DistilBertConfig(vocab_size=tokenizer.vocab_size, dim=32, hidden_dim=64, n_layers=2, n_heads=2, max_position_embeddings=128)
    model = DistilBertForMaskedLM(config)
    model.save_pretrained(out_dir, safe_serialization=True)
    tokenizer.save_pretrained(out_dir)
    print(f"tiny distilbert ({sum(p.numel() for p in model.parameters())} parameters, vocabulary {tokenizer.vocab_size}) in {out_dir}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: make-tiny-distilbert.py VOCAB_TXT OUT_DIR")
    main(sys.argv[1], sys.argv[2])
