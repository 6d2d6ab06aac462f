"""Writes a tiny DETR object detector in facebook/detr-resnet-50's layout, for tests that cannot fetch
the real one (no Hugging Face Hub here).

    python make-tiny-detr.py OUT_DIR

A DetrForObjectDetection from a small config: a two-stage ResNet made by transformers itself
(use_timm_backbone=False, since timm is not installed, and no pretrained backbone to fetch), one
encoder and one decoder layer, four queries. Seeded, so every run writes the same weights. Its class
head is biased towards label 1 ("cat") far above "no object", so every query finds a cat with a score
near 1 and the object-detection pipeline returns boxes at nodetool's default threshold (0.9). The
files are the ones the ObjectDetection node's download takes (README.md, *.bin, *.json):
config.json, pytorch_model.bin, preprocessor_config.json.
"""

import os
import sys

import torch
from transformers import DetrConfig, DetrForObjectDetection, DetrImageProcessor, ResNetConfig


def main(out_dir: str) -> None:
    torch.manual_seed(0)
    backbone = ResNetConfig(embedding_size=8, hidden_sizes=[8, 16], depths=[1, 1], layer_type="basic", out_features=["stage2"])
    config = DetrConfig(
        use_timm_backbone=False,
        use_pretrained_backbone=False,
        backbone_config=backbone,
        d_model=16,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=32,
        decoder_ffn_dim=32,
        num_queries=4,
        id2label={0: "background", 1: "cat"},
        label2id={"background": 0, "cat": 1},
    )
    model = DetrForObjectDetection(config)
    with torch.no_grad():
        head = model.class_labels_classifier
        head.weight.zero_()
        head.bias.fill_(-10.0)
        head.bias[1] = 10.0
    # facebook/detr-resnet-50 ships pytorch_model.bin, and its download takes *.bin only; transformers 5
    # saves safetensors alone, so the state dict is written in the .bin format by torch itself.
    model.save_pretrained(out_dir)
    torch.save(model.state_dict(), os.path.join(out_dir, "pytorch_model.bin"))
    os.remove(os.path.join(out_dir, "model.safetensors"))
    DetrImageProcessor(size={"shortest_edge": 64, "longest_edge": 128}).save_pretrained(out_dir)
    print(f"tiny detr ({sum(p.numel() for p in model.parameters())} parameters) in {out_dir}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make-tiny-detr.py OUT_DIR")
    main(sys.argv[1])
