// Reading and writing sequences for paperkit::hamming: raw bytes, FASTA, little-endian u32.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <span>
#include <string>
#include <vector>

#include "paperkit/hamming/hamming.hpp"

namespace paperkit::hamming {

enum class InputFormat { raw, fasta, u32le };

// "raw", "fasta" or "u32le"; throws InvalidParameter otherwise.
InputFormat parse_input_format(const std::string& name);

// Reads a whole file; gzip-compressed files (magic 1f 8b) are decompressed first, so
// data/ecoli.fna.gz can be read as it is. FASTA: header lines ('>') are dropped and the
// sequence lines of all records are concatenated without their line breaks. Throws InputError for a missing or
// unreadable file, malformed FASTA (no '>' header, or no sequence), or a u32le file whose size is not a multiple of 4.
std::vector<Symbol> read_sequence(const std::string& path, InputFormat format);

// Parses in-memory content with the same rules (`where` names the source in error messages).
std::vector<Symbol> parse_sequence(std::string_view bytes, InputFormat format, const std::string& where);

// One symbol per byte of the string.
std::vector<Symbol> symbols_from_string(std::string_view text);

// Writes u32 little-endian values (the raw output format and the u32le input format).
void write_u32le(std::ostream& out, std::span<const std::uint32_t> values);

}  // namespace paperkit::hamming
