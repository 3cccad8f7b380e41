"""Two tiny randomly initialised BERTs in Hugging Face + sentence-transformers layout.

They let the Swift encoder tests cover what MiniLM does not: CLS pooling, mean pooling with
query/passage prompts, a cased vocabulary, and a max_seq_length below max_position_embeddings,
while staying small enough (< 200 KB each) to commit.
"""

import json
import os
import shutil
import tempfile

import torch
from sentence_transformers import SentenceTransformer, models
from transformers import BertConfig, BertModel, BertTokenizerFast

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
WORDS = (
    "the a an of and to in is it for on with as at by from this that what how why who "
    "query passage search index vector text model token word piece hello world paris france "
    "capital city answer question document chunk server"
).split()


def tiny_vocab(cased: bool) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocab = list(SPECIALS)
    vocab += list(letters)
    if cased:
        vocab += list(letters.upper())
        vocab += ["Hello", "World", "Paris", "The", "What"]
        vocab += ["\u00e9", "\u00c9", "##\u00e9"]  # accents survive the cased path
    vocab += list("0123456789")
    vocab += list(".,;:!?'\"()-_/@#$%&*+=")
    vocab += ["##" + c for c in letters]
    vocab += ["##" + d for d in "0123456789"]
    vocab += WORDS
    vocab += ["##ing", "##ed", "##s", "##er", "##ly", "##tion", "##ion", "##es", "##al",
              "\u4e2d", "\u6587", "numbers", "symbols", "and", "un", "##known", "words",
              "are", "be", "not", "or", "all", "can", "one", "two", "three", "new", "old",
              "short", "long", "text", "##ize", "##izer", "embed", "##ding", "##dings"]
    seen, out = set(), []
    for t in vocab:
        if t not in seen:
            seen.add(t)
            out.append(t)
    return out


def build(out_dir: str, *, pooling: str, cased: bool, normalize: bool, prompts: dict | None,
          max_seq_length: int, seed: int) -> SentenceTransformer:
    torch.manual_seed(seed)
    vocab = tiny_vocab(cased)
    config = BertConfig(
        vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=64, type_vocab_size=2,
        initializer_range=0.2,  # larger than BERT's 0.02 so attention is far from uniform
    )
    model = BertModel(config).eval()
    with torch.no_grad():
        # Random LayerNorm scales/biases too, so a swapped gamma/beta cannot pass by accident.
        for name, p in model.named_parameters():
            if "LayerNorm.weight" in name:
                p.copy_(1.0 + 0.2 * torch.randn_like(p))
            elif "LayerNorm.bias" in name or name.endswith(".bias"):
                p.copy_(0.1 * torch.randn_like(p))

    with tempfile.TemporaryDirectory() as hf_dir:
        vocab_path = os.path.join(hf_dir, "vocab.txt")
        with open(vocab_path, "w", encoding="utf-8") as f:
            f.write("\n".join(vocab) + "\n")
        # transformers 5 ignores vocab_file; passing the dict is what fills tokenizer.json.
        tok = BertTokenizerFast(vocab={t: i for i, t in enumerate(vocab)},
                                do_lower_case=not cased, model_max_length=max_seq_length)
        tok.save_pretrained(hf_dir)
        model.save_pretrained(hf_dir, safe_serialization=True)

        transformer = models.Transformer(hf_dir, max_seq_length=max_seq_length)
        pool = models.Pooling(32, pooling_mode=pooling)
        modules = [transformer, pool] + ([models.Normalize()] if normalize else [])
        st = SentenceTransformer(modules=modules, prompts=prompts or {}, device="cpu")
        if os.path.isdir(out_dir):
            shutil.rmtree(out_dir)
        st.save(out_dir)
    # README.md is a generated model card full of version strings: noise in the repo.
    card = os.path.join(out_dir, "README.md")
    if os.path.exists(card):
        os.remove(card)
    with open(os.path.join(out_dir, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(vocab) + "\n")
    classic_layout(out_dir, pooling=pooling, normalize=normalize, cased=cased,
                   max_seq_length=max_seq_length)
    # Reload: the vectors must come from the files as committed, not the in-memory model.
    return SentenceTransformer(out_dir, device="cpu")


def classic_layout(out_dir: str, *, pooling: str, normalize: bool, cased: bool,
                   max_seq_length: int) -> None:
    """Rewrites ST 6's config files in the layout of models on the hub (bge, e5, MiniLM),
    which is what the Swift loader must read; ST 6 still loads it."""
    def write(rel, doc):
        with open(os.path.join(out_dir, rel), "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=2)
            f.write("\n")
    mods = [{"idx": 0, "name": "0", "path": "",
             "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling",
             "type": "sentence_transformers.models.Pooling"}]
    if normalize:
        mods.append({"idx": 2, "name": "2", "path": "2_Normalize",
                     "type": "sentence_transformers.models.Normalize"})
    write("modules.json", mods)
    write("sentence_bert_config.json", {"max_seq_length": max_seq_length,
                                         "do_lower_case": False})
    write("1_Pooling/config.json", {
        "word_embedding_dimension": 32,
        "pooling_mode_cls_token": pooling == "cls",
        "pooling_mode_mean_tokens": pooling == "mean",
        "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False,
        "pooling_mode_weightedmean_tokens": False,
        "pooling_mode_lasttoken": False,
        "include_prompt": True,
    })


TINY_TEXTS = [
    "hello world",
    "Hello World",
    "What is the capital of France?",
    "Paris is the capital city of France.",
    "token piece word",
    "caf\u00e9 \u00c9cole",
    "unknown zzz words: xylophone!",
    "\u4e2d\u6587 text",
    "",
    "numbers 12345 and symbols $%&",
    "the model answers the question with a document chunk from the search index " * 4,
    "a b c d e f g h i j k l m n o p q r s t u v w x y z " * 3,
]


def write_vectors(st: SentenceTransformer, out_dir: str, fmt) -> int:
    cases = []
    for text in TINY_TEXTS:
        entry = {"text": text}
        for kind in ("query", "passage"):
            prompt_name = kind if kind in st.prompts else None
            vec = st.encode([text], prompt_name=prompt_name, convert_to_numpy=True)[0]
            prompt = st.prompts.get(kind, "") if prompt_name else ""
            ids = st.tokenizer(prompt + text, truncation=True,
                               max_length=st.max_seq_length)["input_ids"]
            entry[kind] = {"ids": ids, "vector": [fmt(x) for x in vec.tolist()]}
        cases.append(entry)
    doc = {
        "max_seq_length": st.max_seq_length,
        "prompts": st.prompts,
        "normalize_module": any(type(m).__name__ == "Normalize" for m in st),
        "cases": cases,
    }
    with open(os.path.join(out_dir, "vectors.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    return len(cases)


def make_all(fixtures: str, fmt) -> None:
    specs = [
        ("tiny-bert-cls", dict(pooling="cls", cased=False, normalize=True, prompts=None,
                               max_seq_length=64, seed=1)),
        # Cased, mean pooling, e5-style prompts, and a max_seq_length (24) short enough
        # that the long texts (plus their prompt) get truncated.
        ("tiny-bert-mean-prefix", dict(pooling="mean", cased=True, normalize=False,
                                       prompts={"query": "query: ", "passage": "passage: "},
                                       max_seq_length=24, seed=2)),
    ]
    for name, spec in specs:
        out_dir = os.path.join(fixtures, name)
        st = build(out_dir, **spec)
        n = write_vectors(st, out_dir, fmt)
        size = os.path.getsize(os.path.join(out_dir, "model.safetensors"))
        print(f"wrote {out_dir}/ (model.safetensors {size // 1024} KB, vectors.json {n} texts)")
