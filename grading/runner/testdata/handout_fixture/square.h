// Fixture code for the handout generator's test: functions whose bodies are solution regions.
#pragma once

#include <string>

namespace fixture {

int Square(int x);
void Count(int* counter);
std::string Greeting();

class Accumulator {
 public:
  void Add(int v);
  int total() const { return total_; }

 private:
  int total_ = 0;
};

}  // namespace fixture
