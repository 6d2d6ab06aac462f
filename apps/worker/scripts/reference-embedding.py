"""Reference embedding for a sentence, computed directly with transformers in the
worker environment, independent of nodetool: tokenizer + model, then the mean of the
last hidden state over all tokens (the pooling SentenceSimilarity applies to the
feature-extraction pipeline's output). Prints a JSON list of floats.

Usage: python reference-embedding.py "The cat sits on the mat." [MODEL_ID]
"""

import json
import sys

import torch
from transformers import AutoModel, AutoTokenizer

sentence = sys.argv[1]
model_id = sys.argv[2] if len(sys.argv) > 2 else "sentence-transformers/all-MiniLM-L6-v2"
tokenizer = AutoTokenizer.from_pretrained(model_id)
model = AutoModel.from_pretrained(model_id).eval()
with torch.no_grad():
    hidden = model(**tokenizer(sentence, return_tensors="pt")).last_hidden_state[0]
print(json.dumps(hidden.mean(dim=0).tolist()))
