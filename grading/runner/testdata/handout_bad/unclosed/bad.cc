void F() {
  // BEGIN SOLUTION(lab1)
  int x = 1;
}
