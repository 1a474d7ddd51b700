#include "square.h"

namespace fixture {

// BEGIN SOLUTION(lab1)
// A helper only the solution calls: a whole function at namespace scope.
static int Twice(int v) {
  if (v == 0) {
    return 0;
  }
  return v + v;
}
// END SOLUTION

int Square(int x) {
  // BEGIN SOLUTION(lab1)
  // STUB: return 0;
  int result = x * x;
  return result;
  // END SOLUTION
}

void Count(int* counter) {
  // BEGIN SOLUTION(lab1)
  *counter += Twice(1) - 1;
  // END SOLUTION
}

std::string Greeting() {
  // BEGIN SOLUTION(lab2aa)
  // STUB: return "";
  const char* text = "hello {braces} \"quoted\" // not a comment";
  auto brace = '{';
  return std::string(text) + brace;
  // END SOLUTION
}

void Accumulator::Add(int v) {
  // BEGIN SOLUTION(lab2aa)
  total_ += v * 1'000;
  // END SOLUTION
}

}  // namespace fixture
