// A test fixture that compiles a condition against the test plugin's
// fields (test_support.h) and evaluates it for one event whose plugin
// fields hold a table of values.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "engine/batch_values.h"
#include "engine/compiler.h"
#include "engine/evaluator.h"
#include "engine/parser.h"
#include "tests/engine/test_support.h"

namespace bulkhead::test {

// Counts reads per slot, to observe short-circuit evaluation.
class CountingValues : public FieldValueSource {
 public:
  explicit CountingValues(const FieldValueSource& inner) : inner_(inner) {}
  size_t count(size_t event, uint32_t slot) const override {
    reads.push_back(slot);
    return inner_.count(event, slot);
  }
  Value at(size_t event, uint32_t slot, size_t i) const override {
    return inner_.at(event, slot, i);
  }
  mutable std::vector<uint32_t> reads;

 private:
  const FieldValueSource& inner_;
};

class CompilerTest : public ::testing::Test {
 protected:
  CompilerTest()
      : plugins_{test::testPlugin(), test::anySourcePlugin()}, catalog_("test", plugins_) {}

  CompiledFilter compile(std::string_view cond) {
    asts_.push_back(parseCondition(cond));
    plan_ = RequestPlan(plugins_.size());
    return compileCondition(*asts_.back(), defs_, catalog_, plan_);
  }

  void defineMacro(const std::string& name, std::string_view cond) {
    asts_.push_back(parseCondition(cond));
    defs_.macros[name] = asts_.back().get();
  }

  // Compiles `cond` and evaluates it for one event whose plugin fields hold `row`.
  bool eval(std::string_view cond, const Row& row, std::vector<uint32_t>* reads = nullptr) {
    CompiledFilter f = compile(cond);
    event_ = test::pluginEvent(1700000000123456789ULL, 999, "payload");
    EventRef ev{reinterpret_cast<const ss_plugin_event*>(event_.data()), 42};
    std::vector<ExtractResults> results;
    for (size_t p = 0; p < plugins_.size(); ++p)
      results.push_back(test::extractRows(plan_, p, plugins_[p], {row}));
    std::vector<const ExtractResults*> ptrs;
    for (auto& r : results) ptrs.push_back(&r);
    BatchValues values(plan_, std::span(&ev, 1), "test", plugins_, ptrs);
    CountingValues counting(values);
    bool out = evaluate(f, counting, 0);
    if (reads) *reads = counting.reads;
    return out;
  }

  std::string compileError(std::string_view cond, SourcePos* pos = nullptr) {
    try {
      compile(cond);
    } catch (const CompileError& e) {
      if (pos) *pos = e.pos();
      return e.what();
    }
    return "compiled";
  }

  std::vector<PluginInfo> plugins_;
  FieldCatalog catalog_;
  Definitions defs_;
  RequestPlan plan_;
  std::vector<ExprPtr> asts_;
  std::vector<char> event_;
};

}  // namespace bulkhead::test
