"""Input strings for the Embed reference fixtures.

Hand-picked cases cover each branch of BERT's BasicTokenizer / WordPiece (cleaning, CJK
splitting, accents, punctuation, long words, truncation); a seeded generator adds mixed
strings so that the Swift tokenizer is checked on combinations nobody thought of.
Everything is deterministic: re-running the script must not churn the committed fixtures.
"""

import random

LONG_WORD = "a" * 101  # one over WordPiece's max_input_chars_per_word (100): becomes [UNK]
EDGE_WORD = "b" * 100  # exactly at the limit: still split into pieces

PARAGRAPH = (
    "Retrieval-augmented generation combines a search index with a language model: the "
    "question is embedded, the nearest passages are fetched, and the model answers with "
    "citations. Chunk size matters; too small loses context, too large dilutes the match."
)

# Long enough to pass 512 word pieces, so truncation at 256 (MiniLM) is exercised too.
LONG_TEXT = " ".join(
    f"Sentence {i} talks about tokenizers, embeddings, caf\u00e9s and na\u00efve r\u00e9sum\u00e9s."
    for i in range(80)
)

HAND_PICKED = [
    "",
    " ",
    "   \t\n  ",
    "hello",
    "Hello, world!",
    "HELLO WORLD",
    "The quick brown fox jumps over the lazy dog.",
    "unaffable",
    "Tokenization isn't trivial: it's WordPiece!",
    PARAGRAPH,
    LONG_TEXT,
    LONG_WORD,
    EDGE_WORD,
    "prefix " + LONG_WORD + " suffix",
    "supercalifragilisticexpialidocious",
    "pneumonoultramicroscopicsilicovolcanoconiosis",
    # accents, lower-casing, NFD
    "caf\u00e9",
    "cafe\u0301",  # already decomposed
    "na\u00efve r\u00e9sum\u00e9 co\u00f6perate",
    "\u00c9COLE \u00e0 Z\u00fcrich, \u00c5ngstr\u00f6m",
    "Stra\u00dfe gro\u00df \u1e9e",
    "\u0130stanbul \u0131s\u0131k",  # Turkish dotted/dotless i: lower() of İ adds U+0307
    "\u0152uvre \u00c6sir \u00d8resund \u0141\u00f3d\u017a",
    "\u1ec7 \u1eadp \u01b0\u01a1ng Vi\u1ec7t Nam",
    "\u0391\u03b8\u03ae\u03bd\u03b1 \u039f\u0394\u039f\u03a3 \u03ac\u03ad\u03ae",
    "\u041c\u043e\u0441\u043a\u0432\u0430 \u0401\u0436\u0438\u043a \u0439\u043e\u0433\u0443\u0440\u0442",
    "\ufb01ne \ufb02ow",  # ligatures: NFD keeps them (NFKD would not)
    "\u2460 \u00bd \u00b2 \u2167",
    "\u212b \u2126 \u00c5",  # canonical singletons
    "x\u0338 a\u0300\u0301\u0302 q\u0323\u0307",
    "\u1100\u1161\u11a8 \ud55c\uad6d\uc5b4 \ud6c8\ubbfc\uc815\uc74c",  # Hangul: NFD splits syllables
    # CJK and other scripts
    "\u4f60\u597d\u4e16\u754c",
    "\u6771\u4eac\u306f\u65e5\u672c\u306e\u9996\u90fd\u3067\u3059\u3002",
    "\u30ab\u30bf\u30ab\u30ca \u3072\u3089\u304c\u306a",
    "\u4e2d\u6587abc\u6df7\u5408123",
    "\U00020000\U0002a700\U0002b740\U0002b820\U0002ceb0\U0002f800",  # CJK extensions B..F
    "\u3400\u4dbf\uf900\ufaff\u9fff\u9fcc",
    "\u0e20\u0e32\u0e29\u0e32\u0e44\u0e17\u0e22\u0e07\u0e48\u0e32\u0e22\u0e21\u0e32\u0e01",
    "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645\u060c \u0643\u064a\u0641 \u062d\u0627\u0644\u0643\u061f",
    "\u0627\u0644\u0652\u0639\u064e\u0631\u064e\u0628\u0650\u064a\u064e\u0651\u0629",  # harakat are Mn
    "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd",
    "\u0928\u092e\u0938\u094d\u0924\u0947 \u0926\u0941\u0928\u093f\u092f\u093e",
    "\u10d2\u10d0\u10db\u10d0\u10e0\u10ef\u10dd\u10d1\u10d0 \u0532\u0561\u0580\u0587",
    "\u1200\u1208\u121d \u13a0\u13cd\u13a6",
    # emoji and symbols
    "I love \U0001f355 and \U0001f680!",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467 family",  # ZWJ is Cf: dropped
    "\U0001f44d\U0001f3fd thumbs",
    "\U0001f1eb\U0001f1f7 flag",
    "\u2764\ufe0f heart",  # VS16 is Mn
    "\U0001fae0 melting \U0001facf moose",  # Unicode 14/15 emoji
    "\u00a9 \u00ae \u2122 \u00a7 \u00b6 \u2020 \u2021 \u2022",
    "$100 \u20ac50 \u00a330 \u00a5999 \u20bf0.5",
    "\u00bfQu\u00e9? \u00a1S\u00ed! \u00ab guillemets \u00bb \u201cquotes\u201d \u2018single\u2019",
    "em\u2014dash en\u2013dash \u2026 ellipsis",
    "\u3010brackets\u3011\u300ckagi\u300d\uff08full\uff09",
    "math: \u2200x \u2208 \u211d, x\u00b2 \u2265 0 \u21d2 \u221ax",
    "\u00b0C \u00b1 \u00d7 \u00f7 \u2030",
    # code, URLs, numbers
    "def f(x): return x**2  # square",
    "for (int i = 0; i < n; ++i) { sum += a[i]; }",
    'SELECT * FROM docs WHERE id = $1 AND name LIKE \'%foo%\';',
    "let x: [String: Int] = [\"a\": 1]",
    '{"key": "value", "list": [1, 2, 3], "nested": {"ok": true}}',
    "<div class=\"main\">Hello</div>",
    "https://example.com/path/to/page?query=1&lang=en#section",
    "mailto:someone@example.org",
    "user.name+tag@sub.domain.co.uk",
    "C:\\Program Files\\App\\bin",
    "/usr/local/bin/swift --version",
    "3.14159 2.71828 1,000,000 1e-10 -42 +7",
    "2024-01-15T10:30:00Z",
    "192.168.0.1:8080",
    "0x1F 0b1010 0o777",
    "v1.2.3-beta.4+build.5",
    "snake_case camelCase PascalCase kebab-case SCREAMING_CASE",
    "a-b_c.d,e;f:g!h?i",
    "!!!???...,,,",
    "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
    "[CLS] [SEP] [PAD] [MASK] [UNK]",
    "text with [SEP] inside and [cls] lowercase",
    "##hashtag ##",
    "@mention #tag",
    # control characters and odd whitespace
    "tab\tseparated\tvalues",
    "line1\nline2\r\nline3\rline4",
    "null\x00byte",
    "bell\x07and\x1bescape",
    "del\x7fchar",
    "\x1c\x1d\x1e\x1f separators",
    "replacement\ufffdchar",
    "zero\u200bwidth\u200cnon\u200djoiner",
    "soft\u00adhyphen",
    "bom\ufeffinside",
    "nbsp\u00a0space",
    "ideographic\u3000space",
    "thin\u2009hair\u200aspace narrow\u202fnbsp",
    "line\u2028sep para\u2029sep",
    "next\x85line",
    "vertical\x0btab form\x0cfeed",
    "ogham\u1680space",
    "private\ue000use",
    "unassigned a\u0378b x\ufffey z\U0010fffe!",  # Cn: kept, unlike Cc/Cf/Co
    "tag\U000e0001chars and \U000e0100variation",
    "rtl\u200fmark ltr\u200emark",
    "  leading and trailing  ",
    "multiple     spaces     here",
    # lone combining marks / edge scalars
    "\u0301 start combining",
    "\u0300\u0301\u0302",
    "\U0001d400\U0001d401 math bold",
    "\U00010000 linear b",
    "\U0001f600" * 5,
    "x" * 99 + "\u00e9",
    "ab" * 60,
    "word " * 300,
    "\u4e00" * 300,
]

# Pools for the generator: each class of character the BasicTokenizer treats differently.
POOLS = [
    "abcdefghijklmnopqrstuvwxyz",
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "0123456789",
    " .,;:!?'\"()[]{}-_/\\@#$%^&*+=<>|~`",
    "\u00e0\u00e1\u00e2\u00e3\u00e4\u00e5\u00e7\u00e8\u00e9\u00ea\u00eb\u00f1\u00f6\u00fc\u00df\u00c9\u00d6",
    "\u4e00\u4e8c\u4e09\u4eba\u5927\u5c0f\u5c71\u6c34\u706b\u6728",
    "\u3042\u3044\u3046\u30a2\u30a4\u30a6",
    "\u0430\u0431\u0432\u0433\u0434\u0435\u0416\u042f",
    "\u03b1\u03b2\u03b3\u03b4\u0394\u03a3",
    "\u0e01\u0e02\u0e04\u0e07\u0e48\u0e49",
    "\u0627\u0628\u062a\u062b\u064e\u064f",
    "\U0001f600\U0001f389\U0001f44d\u2764",
    "\t\n\r\u00a0\u3000\u2003",
    "\u0301\u0308\u200b\u200d\ufeff\x00\x01",
]

WORDS = (
    "the of and to in is was for on that by with as at from it search index vector chunk "
    "tokenizer embedding retrieval document query passage answer model server tenant "
    "unbelievable internationalization photosynthesis Zeitgeist d\u00e9j\u00e0 vu"
).split()


def generated(count: int, seed: int = 20240611) -> list[str]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        if i % 3 == 0:
            # word salad: realistic text with occasional punctuation
            n = rng.randint(1, 25)
            words = [rng.choice(WORDS) for _ in range(n)]
            if rng.random() < 0.5:
                words = [w.capitalize() if rng.random() < 0.3 else w for w in words]
            text = " ".join(words) + rng.choice(["", ".", "!", "?", "..."])
        else:
            n = rng.randint(1, 60)
            picked = [rng.choice(rng.choice(POOLS)) for _ in range(n)]
            text = "".join(picked)
        out.append(text)
    return out


def token_texts() -> list[str]:
    return HAND_PICKED + generated(130)


def vector_texts() -> list[str]:
    """Texts for full-model reference vectors: fewer, since each costs a forward pass."""
    picked = [
        "hello",
        "search",
        "Embeddings",
        "caf\u00e9",
        "\u4f60\u597d",
        "\U0001f680",
        "",
        "What is the capital of France?",
        "The capital of France is Paris.",
        "How do I reset my password?",
        "Click 'Forgot password' on the login page and follow the emailed link.",
        "Les mod\u00e8les de langue r\u00e9pondent en fran\u00e7ais.",
        "Der schnelle braune Fuchs springt \u00fcber den faulen Hund.",
        "\u6771\u4eac\u306f\u65e5\u672c\u306e\u9996\u90fd\u3067\u3059\u3002",
        "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645",
        "\u0e20\u0e32\u0e29\u0e32\u0e44\u0e17\u0e22",
        "def f(x): return x**2",
        "SELECT id, title FROM documents WHERE tenant_id = $1;",
        "https://example.com/docs/getting-started?lang=en",
        "Invoice #12345 total: $1,234.56 due 2024-03-31",
        PARAGRAPH,
        LONG_TEXT,
        LONG_WORD,
        "word " * 300,
        "null\x00byte and tab\tand newline\n",
        "I love \U0001f355 and \U0001f680!",
        "[CLS] special [SEP] tokens",
        "na\u00efve r\u00e9sum\u00e9",
    ]
    return picked + generated(40, seed=7)[: 40]
