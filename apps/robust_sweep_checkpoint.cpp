#include "robust_sweep_checkpoint.hpp"

#include <cmath>
#include <filesystem>
#include <iterator>
#include <limits>

#include "paperkit/common/errors.hpp"

namespace paperkit::robust_app {

namespace {

using nlohmann::json;

// JSON has no NaN or infinity; a curve may hold them (a diverged run), so they go as strings.
json encode(double x) {
  if (std::isfinite(x)) return x;
  return std::isnan(x) ? "nan" : (x > 0 ? "inf" : "-inf");
}

double decode(const json& v) {
  if (v.is_number()) return v.get<double>();
  if (v == "nan") return std::numeric_limits<double>::quiet_NaN();
  if (v == "inf") return std::numeric_limits<double>::infinity();
  if (v == "-inf") return -std::numeric_limits<double>::infinity();
  throw json::type_error::create(302, "not a number: " + v.dump(), nullptr);
}

json header(const std::string& tool, std::size_t runs) {
  return {{"checkpoint", "paperkit-robust sweep"}, {"tool", tool}, {"runs", runs}};
}

FinishedRun parse_run(const json& line, const std::vector<json>& settings) {
  FinishedRun run;
  run.index = line.at("run").get<std::size_t>();
  if (run.index >= settings.size()) throw std::out_of_range("run " + std::to_string(run.index) + " is not in the grid");
  if (line.at("settings") != settings[run.index]) {
    throw std::invalid_argument("run " + std::to_string(run.index) + " has other settings than the grid's");
  }
  run.seconds = decode(line.at("seconds"));
  for (const auto& p : line.at("curve")) {
    robust::CurveRow r;
    r.step = p.at(0).get<std::size_t>();
    r.lr = decode(p.at(1));
    r.acc_node0 = decode(p.at(2));
    r.acc_min = decode(p.at(3));
    r.acc_mean = decode(p.at(4));
    r.spread = decode(p.at(5));
    r.drift = decode(p.at(6));
    r.loss = decode(p.at(7));
    r.attack_z = decode(p.at(8));
    r.grads = p.at(9).get<std::uint64_t>();
    run.curve.push_back(r);
  }
  if (run.curve.empty()) throw std::invalid_argument("run " + std::to_string(run.index) + " has an empty curve");
  return run;
}

}  // namespace

SweepCheckpoint::SweepCheckpoint(const std::string& path, const std::string& tool, const std::vector<json>& settings)
    : path_(path) {
  if (std::filesystem::is_directory(path)) throw InputError("--checkpoint " + path + " is a directory, not a file");
  std::string text;
  if (std::ifstream in(path, std::ios::binary); in) {
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  // Only whole lines count: a kill during a write leaves a last line without its newline.
  const std::size_t whole = text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1;
  std::error_code ignored;
  if (whole < text.size()) std::filesystem::resize_file(path, whole, ignored);
  text.resize(whole);
  std::vector<bool> seen(settings.size(), false);
  std::size_t start = 0, line_no = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    const std::string where = "--checkpoint " + path_ + " line " + std::to_string(line_no) + ": ";
    json j;
    try {
      j = json::parse(line);
    } catch (const json::exception& e) {
      throw InputError(where + "not JSON (" + e.what() + ")");
    }
    if (line_no == 1) {
      if (j != header(tool, settings.size())) {
        const bool ours = j.is_object() && j.value("checkpoint", "") == "paperkit-robust sweep";
        if (!ours) throw InputError(where + "not a paperkit-robust sweep checkpoint");
        throw InputError(where + "written by " + j.value("tool", "?") + " for " + j.value("runs", json()).dump() +
                         " runs, not by this build (" + tool + ") for " + std::to_string(settings.size()) +
                         "; remove it or use another path");
      }
      continue;
    }
    FinishedRun run;
    try {
      run = parse_run(j, settings);
    } catch (const std::exception& e) {
      throw InputError(where + "not a finished run of this grid (" + e.what() + ")");
    }
    if (seen[run.index]) throw InputError(where + "run " + std::to_string(run.index) + " is in the file twice");
    seen[run.index] = true;
    finished_.push_back(std::move(run));
  }
  file_.open(path, std::ios::binary | std::ios::app);
  if (!file_) throw InputError("cannot open --checkpoint " + path + " for writing");
  if (line_no == 0) file_ << header(tool, settings.size()).dump() << '\n' << std::flush;
  if (!file_) throw InputError("cannot write --checkpoint " + path);
}

void SweepCheckpoint::append(std::size_t index, const json& settings, const std::vector<robust::CurveRow>& curve,
                             double seconds) {
  json points = json::array();
  for (const auto& r : curve) {
    points.push_back({r.step, encode(r.lr), encode(r.acc_node0), encode(r.acc_min), encode(r.acc_mean),
                      encode(r.spread), encode(r.drift), encode(r.loss), encode(r.attack_z), r.grads});
  }
  const std::string line =
      json{{"run", index}, {"settings", settings}, {"seconds", encode(seconds)}, {"curve", points}}.dump() + '\n';
  std::lock_guard<std::mutex> lock(mutex_);
  file_ << line << std::flush;
  if (!file_) throw InputError("cannot write --checkpoint " + path_);
}

}  // namespace paperkit::robust_app
