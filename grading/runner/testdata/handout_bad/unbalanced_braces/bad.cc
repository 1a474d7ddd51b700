int F(int x) {
  // BEGIN SOLUTION(lab1)
  if (x) {
  // END SOLUTION
    return 1;
  }
  return 0;
}
