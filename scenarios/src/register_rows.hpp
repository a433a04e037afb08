// SPDX-License-Identifier: Apache-2.0
// What the registers share (private to scenarios/src): the set of ids seen, the two-thread row pipeline, and the
// exclusion policy of `exclude = [...]`. Used by `[base_population] records` (read_records.cpp) and the event
// registers of `[registers]` (read_event_registers.cpp).
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/scenarios/records.hpp"
#include "toml_doc.hpp"

namespace cohortgis::scenarios::detail {

// A register table whose `columns` maps both of two alternative roles (a date of birth and an age, a date and a
// year): one of them would be ignored without a word.
inline void refuse_both_mapped(const Doc& doc, const toml::node& n, const std::string& key, const TableRef& ref,
                               const std::string& a, const std::string& b, const std::string& taken) {
  if (ref.columns.count(a) && ref.columns.count(b))
    doc.fail(
        &n, key + ".columns",
        "maps both " + a + " and " + b + "; expected one of them (the " + taken + " is taken from the column mapped)");
}

// Ids seen, as 128-bit fingerprints in an open-addressing table (two independent 64-bit hashes: a false duplicate
// needs a 128-bit collision, about 1e-24 for 20 million ids).
class IdSet {
 public:
  // True when the id was new.
  bool insert(const std::string& id) {
    Key k{hash(id, 0xcbf29ce484222325ULL), hash(id, 0x84222325cbf29ce4ULL)};
    if (k.a == 0 && k.b == 0) k.a = 1;  // {0, 0} marks an empty slot
    if ((size_ + 1) * 10 > slots_.size() * 7) grow();
    if (!place(slots_, k)) return false;
    ++size_;
    return true;
  }

 private:
  struct Key {
    std::uint64_t a = 0, b = 0;
  };
  static std::uint64_t hash(const std::string& s, std::uint64_t seed) {
    std::uint64_t h = seed;
    for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
    h ^= h >> 33;  // finaliser (MurmurHash3 fmix64): spreads the low bits FNV leaves weak
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 33);
  }
  static bool place(std::vector<Key>& slots, const Key& k) {
    const std::size_t mask = slots.size() - 1;
    for (std::size_t i = k.a & mask;; i = (i + 1) & mask) {
      Key& s = slots[i];
      if (s.a == 0 && s.b == 0) {
        s = k;
        return true;
      }
      if (s.a == k.a && s.b == k.b) return false;
    }
  }
  void grow() {
    std::vector<Key> bigger(slots_.empty() ? 1024 : slots_.size() * 2);
    for (const Key& k : slots_)
      if (k.a != 0 || k.b != 0) place(bigger, k);
    slots_.swap(bigger);
  }
  std::vector<Key> slots_;
  std::size_t size_ = 0;
};

// Two stages on two threads, rows in file order: the caller reads (GDAL, value maps) and a worker checks and counts.
// At most kInFlight batches of kBatch rows wait between them, so memory stays bounded. The worker's first error
// stops it and is rethrown to the caller by the next push() or by finish().
class RowPipeline {
 public:
  explicit RowPipeline(std::function<void(const Rows&)> work) : work_(std::move(work)), worker_([this] { run(); }) {}
  ~RowPipeline() {
    if (!worker_.joinable()) return;
    {
      std::lock_guard<std::mutex> l(m_);
      done_ = failed_ = true;  // the caller failed: drop what waits
    }
    cv_.notify_all();
    worker_.join();
  }
  RowPipeline(const RowPipeline&) = delete;
  RowPipeline& operator=(const RowPipeline&) = delete;

  void push(const Rows& rows) {
    if (!proto_) proto_ = std::make_unique<Rows>(rows);  // columns and reference, for the worker's messages
    // Batches come back from the worker and are refilled in place: the cells' string buffers are reused, so a
    // row costs no allocation once the pipeline is warm.
    if (fill_ < batch_.size()) {
      batch_[fill_].first_row = rows.table.first_row;
      batch_[fill_].cells = rows.table.rows[0];
    } else {
      batch_.push_back({rows.table.first_row, rows.table.rows[0]});
    }
    if (++fill_ >= kBatch) hand_over();
  }
  void finish() {
    if (fill_ > 0) hand_over();
    {
      std::lock_guard<std::mutex> l(m_);
      done_ = true;
    }
    cv_.notify_all();
    worker_.join();
    if (error_) std::rethrow_exception(error_);
  }

 private:
  static constexpr std::size_t kBatch = 4096, kInFlight = 4;
  struct Item {
    std::size_t first_row;
    std::vector<std::string> cells;
  };
  void hand_over() {
    std::unique_lock<std::mutex> l(m_);
    cv_.wait(l, [&] { return queue_.size() < kInFlight || failed_; });
    if (failed_) std::rethrow_exception(error_);
    batch_.resize(fill_);
    queue_.push_back(std::move(batch_));
    batch_.clear();
    if (!free_.empty()) {
      batch_ = std::move(free_.back());
      free_.pop_back();
    }
    fill_ = 0;
    l.unlock();
    cv_.notify_all();
  }
  void run() {
    for (;;) {
      std::vector<Item> items;
      {
        std::unique_lock<std::mutex> l(m_);
        cv_.wait(l, [&] { return !queue_.empty() || done_; });
        if (queue_.empty() || failed_) return;
        items = std::move(queue_.front());
        queue_.pop_front();
      }
      cv_.notify_all();
      try {
        Rows& one = *proto_;
        for (Item& it : items) {
          one.table.rows[0].swap(it.cells);
          one.table.first_row = it.first_row;
          work_(one);
        }
        std::lock_guard<std::mutex> l(m_);
        free_.push_back(std::move(items));
      } catch (...) {
        {
          std::lock_guard<std::mutex> l(m_);
          error_ = std::current_exception();
          failed_ = true;
        }
        cv_.notify_all();
        return;
      }
    }
  }
  std::function<void(const Rows&)> work_;
  std::unique_ptr<Rows> proto_;
  std::vector<Item> batch_;
  std::size_t fill_ = 0;  // items of batch_ in use
  std::deque<std::vector<Item>> queue_;
  std::vector<std::vector<Item>> free_;  // batches the worker is done with
  std::mutex m_;
  std::condition_variable cv_;
  bool done_ = false, failed_ = false;
  std::exception_ptr error_;
  std::thread worker_;  // last: starts when the rest is ready
};

// `exclude = [...]` of a register: the reasons (names from `reasons`) under which a problem row is left out and
// counted instead of failing the run. Every declared reason gets an entry in `out` (count may stay 0).
class ExclusionPolicy {
 public:
  ExclusionPolicy(const Doc& doc, const toml::table& t, const std::string& key_prefix,
                  const std::vector<std::string>& reasons, std::vector<RecordExclusion>& out)
      : reasons_(reasons), excluded_(reasons.size(), 0), out_(out) {
    if (const toml::node* n = t.get("exclude")) {
      const std::string key = key_prefix + ".exclude";
      const toml::array& a = doc.array(*n, key);
      for (std::size_t k = 0; k < a.size(); ++k) {
        const std::string r = doc.string(*a.get(k), key + "[" + std::to_string(k) + "]");
        auto it = std::find(reasons_.begin(), reasons_.end(), r);
        if (it == reasons_.end()) {
          std::string list;
          for (const auto& x : reasons_) list += (list.empty() ? "" : ", ") + x;
          doc.fail(a.get(k), key + "[" + std::to_string(k) + "]", "expected one of: " + list + "; got \"" + r + "\"");
        }
        excluded_[uz(it - reasons_.begin())] = 1;
      }
    }
    for (std::size_t k = 0; k < reasons_.size(); ++k)
      if (excluded_[k]) out_.push_back({reasons_[k], 0, {}});
  }
  bool excluded(std::size_t reason) const { return excluded_[reason] != 0; }
  const std::string& name(std::size_t reason) const { return reasons_[reason]; }
  // Counts data row `data_row` under `reason` (which must be excluded).
  void count(std::size_t reason, std::size_t data_row) {
    for (auto& e : out_)
      if (e.reason == reasons_[reason]) {
        ++e.count;
        if (e.first_rows.size() < RecordExclusion::kFirstRows) e.first_rows.push_back(data_row);
      }
  }

 private:
  std::vector<std::string> reasons_;
  std::vector<char> excluded_;
  std::vector<RecordExclusion>& out_;
};

}  // namespace cohortgis::scenarios::detail
