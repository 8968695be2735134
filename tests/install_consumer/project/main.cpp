#include <cstdio>

#include "paperkit/hamming/hamming.hpp"
#include "paperkit/hamming/io.hpp"

int main() {
  const auto text = paperkit::hamming::symbols_from_string("abcabc");
  const auto pattern = paperkit::hamming::symbols_from_string("abc");
  paperkit::hamming::Options options;
  options.algorithm = "naive";
  const auto hd = paperkit::hamming::distances(text, pattern, options);
  const bool ok = hd == std::vector<paperkit::hamming::Distance>{0, 3, 3, 0};
  std::printf("consumer: HD = [%u, %u, %u, %u] %s\n", hd[0], hd[1], hd[2], hd[3], ok ? "ok" : "WRONG");
  return ok ? 0 : 1;
}
