// SPDX-License-Identifier: Apache-2.0
// The parallel CSV reader of stream_table (table_rows.hpp): a large CSV file cut into byte ranges after line breaks,
// each range parsed on a worker thread by GDAL's CSV tokenizer with the file's separator (or, when the header line
// does not tell the separator for certain, by GDAL's CSV driver: same driver, same open options, the file's own
// header line in front), the rows handed to on_row on the calling thread in file order. Parsing is most of the cost of
// loading a large scenario (bench/HISTORY.md, "Round 9: loading"); on_row stays on one thread, in order, so what
// the scenario builder sees does not depend on the thread count.
#include "table_rows.hpp"

#include "checked_files.hpp"
#include "csv_tokens.hpp"

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/geodata/text_encoding.hpp"
#include "gdal_support.hpp"

#include <cpl_csv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <gdal_priv.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>
#include <vector>

#if defined(__GLIBC__)
#include <malloc.h>  // malloc_trim
#endif

namespace cohortgis::geodata {

namespace {

// One byte range of the file and, once parsed, its rows as one run of bytes (cell k of row r ends at
// ends[r * width + k]).
struct Part {
  enum class State { parsing, ok, reparse, fallback };
  State state = State::parsing;
  std::string bytes;  // the header line, then the range
  std::string cells;
  std::vector<std::uint32_t> ends;
  std::size_t rows = 0;
};

// Threads that parse: on_row on the one calling thread takes about a quarter of a row's time (bench/HISTORY.md,
// "Round 9: loading"), so more than 8 would wait on it while holding parts in memory.
int parsers(int threads) { return std::clamp(threads, 1, 8); }

// Bytes per part: chunk_bytes, smaller when the window of parsers + 2 parts would hold more than held_bytes of the
// file (issue #16: the 50,000-zone run's peak memory), but not under 64 KiB (each part opens a GDAL dataset).
std::size_t part_bytes(const StreamOptions& o) {
  const std::size_t window = uz(parsers(o.threads)) + 2;
  const std::size_t fit = std::max<std::size_t>(o.held_bytes / window, std::size_t{64} << 10);
  return std::max<std::size_t>(std::min(o.chunk_bytes, fit), 1);
}

class PartReader {
 public:
  PartReader(const ParallelCsv& csv, const Table& t, const RowCells& cells)
      : csv_(csv),
        header_(t),
        cells_(cells),
        chunk_(part_bytes(csv.options)),
        window_(uz(parsers(csv.options.threads)) + 2),
        file_(open_checked_file(csv.path, csv.path)) {}
  ~PartReader() { stop_workers(); }
  PartReader(const PartReader&) = delete;
  PartReader& operator=(const PartReader&) = delete;

  // Reads the header line; false when the file is not for this reader.
  bool start() {
    if (!file_) return false;
    // The header line as GDAL's line reader ends it: at \n or \r, a following \r or \n (the other one) with it.
    while (true) {
      const std::size_t eol = pending_.find_first_of("\r\n");
      if (eol != std::string::npos && eol + 1 < pending_.size()) {
        std::size_t end = eol + 1;
        if ((pending_[eol] == '\r' && pending_[end] == '\n') || (pending_[eol] == '\n' && pending_[end] == '\r')) ++end;
        header_bytes_ = pending_.substr(0, end);
        pending_.erase(0, end);
        break;
      }
      if (eof_ || pending_.size() > kMaxScan || !read_more()) return false;
    }
    // A quote anywhere in the header: GDAL's quoting could carry a line break into the data; keep the one reader.
    if (header_bytes_.find('"') != std::string::npos) return false;
    if (csv_.tokens) separator_ = layer_separator();
    if (csv_.options.report) csv_.options.report->tokens = !separator_.empty();
    return true;
  }

  void start_workers(int threads) {
    for (int i = 1; i < threads; ++i) {
      try {
        workers_.emplace_back([this] { work(); });
      } catch (const std::system_error&) {
        break;  // fewer threads: the caller parses what no worker took
      }
    }
  }

  // Hands the rows to on_row in file order; returns the rows handed out, `complete` false when a part stopped the
  // parallel reading (the one reader continues from there).
  std::size_t deliver(Table& t, const std::function<void(Table&)>& on_row, bool& complete) {
    std::size_t n_rows = 0;
    const std::size_t width = t.columns.size();
    for (std::size_t k = 0;; ++k) {
      Part* part = wait_for(k);
      if (!part) break;  // the end of the file
      if (csv_.options.report) ++csv_.options.report->parts;
      if (part->state == Part::State::fallback) {
        complete = false;
        return n_rows;
      }
      if (part->state == Part::State::reparse) {
        // A row of this part fails a check: parsed again here, handing out its rows until the error, which then
        // names the row as the one reader would.
        if (parse(*part, t, n_rows, &on_row) != Part::State::ok) {
          complete = false;
          return n_rows;
        }
      } else {
        for (std::size_t r = 0; r < part->rows; ++r) {
          std::uint32_t begin = r == 0 ? 0 : part->ends[r * width - 1];
          for (std::size_t c = 0; c < width; ++c) {
            const std::uint32_t end = part->ends[r * width + c];
            t.rows[0][c].assign(part->cells.data() + begin, end - begin);
            begin = end;
          }
          t.first_row = n_rows;
          ++n_rows;
          on_row(t);
        }
      }
      std::lock_guard<std::mutex> lock(m_);
      parts_.erase(k);
      consumed_ = k + 1;
      cv_.notify_all();
    }
    complete = true;
    return n_rows;
  }

 private:
  static constexpr std::size_t kMaxScan = 64u << 20;  // a "line" longer than this: not a text table for this reader

  // The separator of the file's CSV layer (csv_layer_separator), when the parts can be split by GDAL's tokenizer
  // instead of through OGR features: building, filling and freeing a feature per row was over a third of GDAL's
  // instructions per row (bench/HISTORY.md, "Round 15: the command line around the projection"). "" otherwise (the
  // parts are read through OGR features).
  std::string layer_separator() const { return csv_layer_separator(header_bytes_, cells_.raw_names); }

  bool read_more() {
    const std::size_t old = pending_.size(), want = std::max<std::size_t>(chunk_, 1u << 16);
    pending_.resize(old + want);
    const std::size_t n = std::fread(pending_.data() + old, 1, want, file_.get());
    pending_.resize(old + n);
    if (n < want) {
      eof_ = true;
      if (std::ferror(file_.get())) failed_ = true;
    }
    return n > 0;
  }

  // Cuts the next part under the lock. A cut is after a '\n' not followed by '\r', so a line ends there whatever
  // line endings the file uses; with no quote in the part, no quoted cell spans it.
  std::unique_ptr<Part> cut() {
    auto part = std::make_unique<Part>();
    while (pending_.size() <= chunk_ && !eof_) read_more();
    std::size_t from = chunk_ - 1, at = std::string::npos;
    while (true) {
      for (std::size_t p = from < pending_.size() ? pending_.find('\n', from) : std::string::npos;
           p != std::string::npos; p = pending_.find('\n', p + 1)) {
        if (p + 1 >= pending_.size()) break;  // the next byte is not read yet
        if (pending_[p + 1] != '\r') {
          at = p + 1;
          break;
        }
      }
      if (at != std::string::npos || eof_) break;
      if (pending_.size() > kMaxScan) {
        failed_ = true;
        break;
      }
      from = std::max(from, pending_.size() - 1);  // a '\n' last in the buffer is looked at again
      read_more();
    }
    if (failed_) {
      part->state = Part::State::fallback;
      exhausted_ = true;
      return part;
    }
    if (at == std::string::npos) at = pending_.size();  // the rest of the file
    part->bytes.reserve(header_bytes_.size() + at);
    part->bytes.append(header_bytes_).append(pending_, 0, at);
    pending_.erase(0, at);
    if (pending_.empty() && eof_) exhausted_ = true;
    return part;
  }

  // Claims part next_ when the window allows it (the lock held); nullptr otherwise.
  Part* claim(std::size_t& index) {
    if (stop_ || exhausted_ || next_ >= consumed_ + window_) return nullptr;
    if (pending_.empty() && !eof_) read_more();
    if (pending_.empty() && eof_) {
      exhausted_ = true;
      return nullptr;
    }
    index = next_++;
    std::unique_ptr<Part> part;
    try {
      part = cut();
    } catch (...) {  // out of memory: the one reader takes over at this part
      part = std::make_unique<Part>();
      part->state = Part::State::fallback;
      exhausted_ = true;
    }
    Part* p = part.get();
    parts_[index] = std::move(part);
    return p;
  }

  void work() {
    std::unique_lock<std::mutex> lock(m_);
    while (!stop_) {
      std::size_t k = 0;
      Part* p = claim(k);
      if (!p) {
        if (exhausted_) return;
        cv_.wait(lock);
        continue;
      }
      parse_claimed(lock, *p);
    }
  }

  // A part claimed under `lock` parsed with the lock released; its state set under the lock again (the calling
  // thread reads it under the lock), and every waiter told.
  void parse_claimed(std::unique_lock<std::mutex>& lock, Part& p) {
    if (p.state == Part::State::parsing) {
      lock.unlock();
      const Part::State state = parse_part(p);
      lock.lock();
      p.state = state;
    }
    cv_.notify_all();
  }

  // The part `k` parsed (by a worker or here), or nullptr past the end.
  Part* wait_for(std::size_t k) {
    std::unique_lock<std::mutex> lock(m_);
    while (true) {
      const auto it = parts_.find(k);
      if (it != parts_.end() && it->second->state != Part::State::parsing) return it->second.get();
      if (it == parts_.end() && exhausted_ && k >= next_) return nullptr;
      // Nothing to wait for: parse the next unclaimed part here (the part asked for, or one ahead of it).
      std::size_t j = 0;
      if (Part* p = claim(j)) {
        parse_claimed(lock, *p);
        continue;
      }
      cv_.wait(lock);
    }
  }

  // Parses p off the lock; returns its state, which the caller of this sets under the lock (the calling thread reads
  // it there, and p's rows once it is no longer "parsing").
  Part::State parse_part(Part& p) {
    Table t = header_;
    std::size_t n = 0;
    Part::State state = Part::State::fallback;
    try {
      state = parse(p, t, n, nullptr);
    } catch (...) {
      // Not one of the row checks (parse() marks those) or out of memory: the one reader decides. Nothing may
      // leave a worker, and the part must not stay "parsing" (the calling thread waits for it).
    }
    p.rows = n;
    // Once parsed, only the cells are handed out: the bytes go (a part marked reparse is parsed again from them).
    if (state == Part::State::ok) std::string().swap(p.bytes);
    return state;
  }

  // Parses part `p`, counting its rows in `n`. Without on_row (a worker): keeps the rows in p and returns ok,
  // reparse (a row fails a check) or fallback (anything the one reader must see). With on_row (the caller, for a
  // part marked reparse): hands the rows out, numbered from n on, and lets the check's error through.
  Part::State parse(Part& p, Table& t, std::size_t& n, const std::function<void(Table&)>* on_row) {
    using S = Part::State;
    const std::size_t data_at = header_bytes_.size();
    if (std::memchr(p.bytes.data() + data_at, '"', p.bytes.size() - data_at) ||
        std::memchr(p.bytes.data() + data_at, '\0', p.bytes.size() - data_at))
      return S::fallback;
    MemFile mem(p.bytes);
    if (mem.name().empty()) return S::fallback;
    if (!on_row) reserve_cells(p);
    QuietGdalErrors quiet;
    if (!separator_.empty()) return parse_tokens(mem, p, t, n, on_row);
    DatasetPtr ds(GDALDataset::FromHandle(
        GDALOpenEx(mem.name().c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, csv_.drivers, csv_.open_options, nullptr)));
    if (!ds || ds->GetLayerCount() != 1) return S::fallback;
    OGRLayer* layer = ds->GetLayer(0);
    OGRFeatureDefn* defn = layer->GetLayerDefn();
    const std::size_t width = cells_.types.size();
    if (defn->GetGeomFieldCount() != 0 || uz(defn->GetFieldCount()) != width) return S::fallback;
    for (std::size_t i = 0; i < width; ++i) {
      OGRFieldDefn* fd = defn->GetFieldDefn(static_cast<int>(i));
      if (fd->GetType() != cells_.types[i] || cells_.raw_names[i] != fd->GetNameRef()) return S::fallback;
    }
    CPLErrorReset();
    for (OGRFeatureUniquePtr f(layer->GetNextFeature()); f; f.reset(layer->GetNextFeature())) {
      const auto extract = [&] { cells_.extract(*f, t); };
      if (const auto s = row(p, t, n, on_row, extract)) return *s;
    }
    // Any warning or error of GDAL's while reading (a line too long, …): the one reader reports it as it would.
    return CPLGetLastErrorType() != CE_None ? S::fallback : S::ok;
  }

  // Part p's lines split by GDAL's CSV tokenizer with the layer's separator (layer_separator), as parse() does
  // through OGR features: the header line first, blank lines skipped as the CSV layer skips them.
  Part::State parse_tokens(const MemFile& mem, Part& p, Table& t, std::size_t& n,
                           const std::function<void(Table&)>* on_row) {
    using S = Part::State;
    VsiFile fp(VSIFOpenL(mem.name().c_str(), "rb"));
    if (!fp) return S::fallback;
    CPLErrorReset();
    if (!read_csv_tokens(fp.get(), separator_)) return S::fallback;  // the header line
    for (Tokens line = read_csv_tokens(fp.get(), separator_); line; line = read_csv_tokens(fp.get(), separator_)) {
      if (line.get()[0] == nullptr) continue;
      const auto extract = [&] { cells_.extract_tokens(line.get(), t); };
      if (const auto s = row(p, t, n, on_row, extract)) return *s;
    }
    // A GDAL error (a line over the limit, a read error): the one reader reports it as it would.
    return CPLGetLastErrorType() != CE_None ? S::fallback : S::ok;
  }

  // At most a cell per separator or line break, no more cell text than the part's bytes (UTF-8 recoding may need
  // more: the vectors then grow): reserved so that no doubling holds up to twice the cells.
  void reserve_cells(Part& p) const {
    const std::size_t data_at = header_bytes_.size(), width = cells_.types.size();
    const char* data = p.bytes.data() + data_at;
    const std::size_t size = p.bytes.size() - data_at;
    const std::size_t lines = uz(std::count(data, data + size, '\n')) + 1;
    p.ends.reserve(std::min(lines * width, size + width));
    p.cells.reserve(size);
  }

  // Data row n of the file, its cells put in t.rows[0] by `extract`. With on_row (the caller, for a part marked
  // reparse): checked and handed out, the check's error let through. Without (a worker): kept in p, or the state
  // that ends the part (reparse for a row that fails a check, fallback when stopped or past 4 GiB of cells).
  template <class Extract>
  std::optional<Part::State> row(Part& p, Table& t, std::size_t& n, const std::function<void(Table&)>* on_row,
                                 const Extract& extract) {
    using S = Part::State;
    t.first_row = n;
    if (on_row) {
      extract();
      cells_.check_numbers(t);
      ++n;
      (*on_row)(t);
      return std::nullopt;
    }
    if ((n & 1023) == 0 && stop_flag_.load(std::memory_order_relaxed)) return S::fallback;
    try {
      extract();
    } catch (const InputError&) {
      return S::reparse;
    }
    if (!cells_.numbers_ok(t)) return S::reparse;
    for (const std::string& cell : t.rows[0]) {
      p.cells.append(cell);
      if (p.cells.size() > UINT32_MAX) return S::fallback;
      p.ends.push_back(static_cast<std::uint32_t>(p.cells.size()));
    }
    ++n;
    return std::nullopt;
  }

  void stop_workers() {
    {
      std::lock_guard<std::mutex> lock(m_);
      stop_ = true;
      stop_flag_.store(true);
      cv_.notify_all();
    }
    for (auto& w : workers_) w.join();
    workers_.clear();
  }

  const ParallelCsv& csv_;
  const Table& header_;  // path, layer, columns for messages
  const RowCells& cells_;
  const std::size_t chunk_, window_;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file_;
  std::string header_bytes_, pending_;
  std::string separator_;  // the layer's separator when the parts are split by GDAL's tokenizer, else ""
  bool eof_ = false, failed_ = false;

  std::mutex m_;
  std::condition_variable cv_;
  std::map<std::size_t, std::unique_ptr<Part>> parts_;
  std::size_t next_ = 0, consumed_ = 0;
  bool exhausted_ = false, stop_ = false;
  std::atomic<bool> stop_flag_{false};
  std::vector<std::thread> workers_;
};

}  // namespace

std::size_t stream_csv_parallel(const ParallelCsv& csv, Table& t, const RowCells& cells,
                                const std::function<void(Table&)>& on_row, bool& complete) {
  complete = false;
  const Table header = t;  // the workers' copy: on_row may change t
  std::size_t rows = 0;
  {
    PartReader reader(csv, header, cells);
    if (!reader.start()) return 0;
    reader.start_workers(parsers(csv.options.threads));
    rows = reader.deliver(t, on_row, complete);
  }
  // The workers' parts were allocated in their malloc arenas and freed here: without this their pages stay with the
  // process and add to the run's later peak (bench/HISTORY.md "Round 11: base year and memory at 50,000 zones").
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
  return rows;
}

}  // namespace cohortgis::geodata
