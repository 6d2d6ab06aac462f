"""Reference embeddings for sentences, computed directly with transformers and torch in the worker
environment, independent of nodetool and of our TypeScript: tokenizer + model, the mean of the last
hidden state over all tokens (the pooling SentenceSimilarity applies to the feature-extraction
pipeline's output), and the cosine similarity of the first two. Prints JSON:
{"embeddings": [[...], ...], "similarity": float | null}.

Usage: python reference-embedding.py "The cat sits on the mat." "A feline rests on the rug." [--model ID]
"""

import json
import sys

import torch
from transformers import AutoModel, AutoTokenizer

args = sys.argv[1:]
model_id = "sentence-transformers/all-MiniLM-L6-v2"
if "--model" in args:
    index = args.index("--model")
    model_id = args[index + 1]
    del args[index : index + 2]
tokenizer = AutoTokenizer.from_pretrained(model_id)
model = AutoModel.from_pretrained(model_id).eval()
embeddings = []
with torch.no_grad():
    for sentence in args:
        hidden = model(**tokenizer(sentence, return_tensors="pt")).last_hidden_state[0]
        embeddings.append(hidden.mean(dim=0))
similarity = torch.nn.functional.cosine_similarity(embeddings[0], embeddings[1], dim=0).item() if len(embeddings) > 1 else None
print(json.dumps({"embeddings": [e.tolist() for e in embeddings], "similarity": similarity}))
