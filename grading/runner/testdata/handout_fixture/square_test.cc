#include <gtest/gtest.h>

#include "square.h"

TEST(Lab1Fixture, Square) { EXPECT_EQ(fixture::Square(3), 9); }

TEST(Lab1Fixture, Count) {
  int counter = 0;
  fixture::Count(&counter);
  fixture::Count(&counter);
  EXPECT_EQ(counter, 2);
}

TEST(Lab2AAFixture, Greeting) {
  EXPECT_EQ(fixture::Greeting(), "hello {braces} \"quoted\" // not a comment{");
}

TEST(Lab2AAFixture, Accumulate) {
  fixture::Accumulator acc;
  acc.Add(2);
  acc.Add(3);
  EXPECT_EQ(acc.total(), 5000);
}
