#include "paperkit/hamming/io.hpp"

#include <zlib.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>

#include "paperkit/common/errors.hpp"

namespace paperkit::hamming {
namespace {

std::string read_file_bytes(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw InputError("cannot read " + path + ": it is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot open " + path + ": " + std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw InputError("cannot read " + path);
  return std::move(buffer).str();
}

bool is_gzip(std::string_view bytes) {
  return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
         static_cast<unsigned char>(bytes[1]) == 0x8b;
}

std::string gunzip(std::string_view compressed, const std::string& where) {
  z_stream stream{};
  if (inflateInit2(&stream, 15 + 32) != Z_OK) throw InputError("cannot start gzip decoding of " + where);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  std::string out;
  char chunk[1 << 16];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    stream.next_out = reinterpret_cast<Bytef*>(chunk);
    stream.avail_out = sizeof chunk;
    rc = inflate(&stream, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&stream);
      throw InputError(where + " is not valid gzip data");
    }
    out.append(chunk, sizeof chunk - stream.avail_out);
    if (rc == Z_OK && stream.avail_in == 0 && stream.avail_out != 0) {
      inflateEnd(&stream);
      throw InputError(where + " is a truncated gzip file");
    }
  }
  inflateEnd(&stream);
  return out;
}

std::vector<Symbol> parse_fasta(std::string_view bytes, const std::string& where) {
  std::vector<Symbol> sequence;
  sequence.reserve(bytes.size());
  bool seen_header = false;
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    std::size_t end = bytes.find('\n', pos);
    if (end == std::string_view::npos) end = bytes.size();
    std::string_view line = bytes.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (line.front() == '>') {
      seen_header = true;
      continue;
    }
    if (!seen_header) throw InputError("malformed FASTA in " + where + ": sequence before the first '>' header");
    for (char c : line) {
      if (c == ' ' || c == '\t') continue;
      sequence.push_back(static_cast<unsigned char>(c));
    }
  }
  if (!seen_header) throw InputError("malformed FASTA in " + where + ": no '>' header line");
  if (sequence.empty()) throw InputError("malformed FASTA in " + where + ": no sequence");
  return sequence;
}

}  // namespace

InputFormat parse_input_format(const std::string& name) {
  if (name == "raw") return InputFormat::raw;
  if (name == "fasta") return InputFormat::fasta;
  if (name == "u32le") return InputFormat::u32le;
  throw InvalidParameter("--input must be raw, fasta or u32le (got " + name + ")");
}

std::vector<Symbol> symbols_from_string(std::string_view text) {
  std::vector<Symbol> out(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) out[i] = static_cast<unsigned char>(text[i]);
  return out;
}

std::vector<Symbol> parse_sequence(std::string_view bytes, InputFormat format, const std::string& where) {
  std::string inflated;
  if (is_gzip(bytes)) {
    inflated = gunzip(bytes, where);
    bytes = inflated;
  }
  switch (format) {
    case InputFormat::raw:
      return symbols_from_string(bytes);
    case InputFormat::fasta:
      return parse_fasta(bytes, where);
    case InputFormat::u32le: {
      if (bytes.size() % 4 != 0) {
        throw InputError(where + " has " + std::to_string(bytes.size()) +
                         " bytes, not a multiple of 4 as u32le input needs");
      }
      std::vector<Symbol> out(bytes.size() / 4);
      for (std::size_t i = 0; i < out.size(); ++i) {
        const auto* b = reinterpret_cast<const unsigned char*>(bytes.data() + 4 * i);
        out[i] = Symbol{b[0]} | Symbol{b[1]} << 8 | Symbol{b[2]} << 16 | Symbol{b[3]} << 24;
      }
      return out;
    }
  }
  throw InternalError("unhandled input format");
}

std::vector<Symbol> read_sequence(const std::string& path, InputFormat format) {
  return parse_sequence(read_file_bytes(path), format, path);
}

void write_u32le(std::ostream& out, std::span<const std::uint32_t> values) {
  std::string buffer(values.size() * 4, '\0');
  for (std::size_t i = 0; i < values.size(); ++i) {
    for (int b = 0; b < 4; ++b) buffer[4 * i + b] = static_cast<char>((values[i] >> (8 * b)) & 0xffu);
  }
  out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
}

}  // namespace paperkit::hamming
