"""Writes a tiny chat language model, for tests of text generation that cannot fetch a real one (no
Hugging Face Hub here).

    python make-tiny-chat-gpt2.py VOCAB_TXT OUT_DIR

A GPT2LMHeadModel from a small config (2 layers, width 128), seeded so every run writes the same
weights, with a WordPiece tokenizer built from the vocabulary given (all-MiniLM-L6-v2's vocab.txt,
already installed) and a chat template: nodetool's TextGeneration goes through the HuggingFace local
provider, which renders the prompt with `apply_chat_template`, and transformers refuses a tokenizer
without a template. Its words are nonsense, but they arrive as a real model's do: token by token,
through the text-generation pipeline and its streamer.
"""

import sys

import torch
from transformers import BertTokenizerFast, GPT2Config, GPT2LMHeadModel

CHAT_TEMPLATE = (
    "{% for message in messages %}{{ message['role'] }}: {{ message['content'] }}\n{% endfor %}"
    "{% if add_generation_prompt %}assistant:{% endif %}"
)


def main(vocab_txt: str, out_dir: str) -> None:
    torch.manual_seed(0)
    # transformers 5 takes the WordPiece file as `vocab`.
    tokenizer = BertTokenizerFast(vocab=vocab_txt, do_lower_case=True)
    tokenizer.chat_template = CHAT_TEMPLATE
    config = GPT2Config(
        vocab_size=tokenizer.vocab_size,
        n_positions=512,
        n_embd=128,
        n_layer=2,
        n_head=2,
        # [SEP] ends an answer; random weights rarely pick it, so answers run to max_new_tokens.
        bos_token_id=tokenizer.cls_token_id,
        eos_token_id=tokenizer.sep_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    model = GPT2LMHeadModel(config)
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.save_pretrained(out_dir, safe_serialization=True)
    tokenizer.save_pretrained(out_dir)
    print(f"tiny chat gpt2 ({sum(p.numel() for p in model.parameters())} parameters, vocabulary {tokenizer.vocab_size}) in {out_dir}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: make-tiny-chat-gpt2.py VOCAB_TXT OUT_DIR")
    main(sys.argv[1], sys.argv[2])
