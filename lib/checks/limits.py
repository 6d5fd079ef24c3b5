"""The budgets of the upload checks."""

MAX_UPLOAD_BYTES = 150 * 1024 * 1024
MAX_NAME_LENGTH = 180

# The child process that inspects one file.
CHECK_MEMORY_BYTES = 256 * 1024 * 1024  # beyond what the child holds when it starts
CHECK_CPU_SECONDS = 5
CHECK_WALL_SECONDS = 30  # reading from disk included; only a stuck child gets near it
WORD_COUNT_CPU_SECONDS = 3.0  # counting stops here and reports "at least N words"

# Word documents.
MAX_DOCX_ENTRIES = 2_000
MAX_CONTENT_TYPES_BYTES = 1024 * 1024
MAX_DOCUMENT_XML_BYTES = 128 * 1024 * 1024  # inflated, as really read
MAX_DOCX_EXPANDED_BYTES = 300 * 1024 * 1024  # every part together, as really inflated
MAX_COMPRESSION_RATIO = 200  # a part over 1 MB that really inflates more than this is a bomb
WORD_CAP = 1_000_000  # counting stops at a million words: "over 1,000,000 words"

# PDFs: pypdf's own caps on what one stream may decode to, lowered from its defaults.
PDF_MAX_STREAM_OUTPUT = 32 * 1024 * 1024
PDF_MAX_OBJECTS = 500_000

# Tables uploaded as CSV or Excel (registration imports, Exam Board lists, Walled Garden order exports), read in the
# same limited child: its memory as above, its CPU time TABLE_CPU_SECONDS plus a second per MB of file.
TABLE_CPU_SECONDS = 5
TABLE_MAX_COLUMNS = 60
TABLE_MAX_CELL_CHARS = 10_000
TABLE_MAX_EMPTY_ROWS = 10_000  # empty rows one after another before the file is refused
TABLE_MAX_ZIP_ENTRIES = 500
TABLE_MAX_EXPANDED_BYTES = 1024 * 1024 * 1024  # every part together, as really inflated (the ratio stops bombs)
