#include "grading/check/model.h"

namespace tinykv::check {

namespace {

std::string Where(const Operation& op) {
  std::string s = "operation by client " + std::to_string(op.client);
  if (op.line > 0) s += " (line " + std::to_string(op.line) + ")";
  return s;
}

std::string Quote(const std::string& s) { return "\"" + s + "\""; }

class Kv final : public Model {
 public:
  std::string_view name() const override { return "kv"; }
  std::optional<std::string> InitialValue() const override { return std::string(); }

  Status Validate(const Operation& op) const override {
    if (op.f == "get" || op.f == "delete") return Status::Ok();
    if (op.f == "put" || op.f == "append") {
      if (!op.value) return Status::DataError(Where(op) + ": " + op.f + " needs a :value");
      return Status::Ok();
    }
    return Status::DataError(Where(op) + ": unknown operation :" + op.f +
                             " for model kv (expected get, put, append or delete)");
  }

  std::string RegisterOf(const Operation& op) const override { return op.key; }

  StepSpec Spec(const Operation& op) const override {
    if (op.f == "get") return {StepKind::kRead, op.output.value_or(""), std::nullopt};
    if (op.f == "put") return {StepKind::kWrite, op.value, std::nullopt};
    if (op.f == "append") return {StepKind::kAppend, op.value, std::nullopt};
    return {StepKind::kWrite, std::string(), std::nullopt};  // delete
  }

  bool IsReadOnly(const Operation& op) const override { return op.f == "get"; }

  std::string Describe(const Operation& op) const override {
    return op.f + " " + Quote(op.key) + Effect(op);
  }
  std::string DescribeInRegister(const Operation& op) const override { return op.f + Effect(op); }

  std::string RegisterName(const std::string& reg) const override { return "key " + Quote(reg); }

 private:
  // What the operation read or wrote: ` → 'x'`, ` 'x'`, or nothing (delete).
  static std::string Effect(const Operation& op) {
    std::string s;
    if (op.f == "get") {
      s += " → ";
      s += op.status == OpStatus::kOk ? QuoteValue(op.output.value_or("")) : std::string("?");
    } else if (op.f == "put" || op.f == "append") {
      s += " " + QuoteValue(op.value);
    }
    return s;
  }
};

class Register final : public Model {
 public:
  std::string_view name() const override { return "register"; }
  std::optional<std::string> InitialValue() const override { return std::nullopt; }

  Status Validate(const Operation& op) const override {
    if (op.f == "read") return Status::Ok();
    if (op.f == "write") {
      if (!op.value) return Status::DataError(Where(op) + ": write needs a :value");
      return Status::Ok();
    }
    if (op.f == "cas") {
      if (!op.new_value) {
        return Status::DataError(Where(op) + ": cas needs a :value [expected new]");
      }
      return Status::Ok();
    }
    return Status::DataError(Where(op) + ": unknown operation :" + op.f +
                             " for model register (expected read, write or cas)");
  }

  std::string RegisterOf(const Operation&) const override { return std::string(); }

  StepSpec Spec(const Operation& op) const override {
    if (op.f == "read") return {StepKind::kRead, op.output, std::nullopt};
    if (op.f == "write") return {StepKind::kWrite, op.value, std::nullopt};
    return {StepKind::kCas, op.value, op.new_value};
  }

  bool IsReadOnly(const Operation& op) const override { return op.f == "read"; }

  std::string Describe(const Operation& op) const override {
    if (op.f == "read") {
      return "read → " + (op.status == OpStatus::kOk ? QuoteValue(op.output) : std::string("?"));
    }
    if (op.f == "write") return "write " + QuoteValue(op.value);
    return "cas(expect " + QuoteValue(op.value) + ", set " + QuoteValue(op.new_value) + ")";
  }

  std::string RegisterName(const std::string&) const override { return "the register"; }
};

}  // namespace

const Model& KvModel() {
  static const Kv* const kv = new Kv();
  return *kv;
}

const Model& RegisterModel() {
  static const Register* const reg = new Register();
  return *reg;
}

const Model* FindModel(std::string_view name) {
  if (name == "kv") return &KvModel();
  if (name == "register") return &RegisterModel();
  return nullptr;
}

}  // namespace tinykv::check
