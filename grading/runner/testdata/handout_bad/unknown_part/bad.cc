void F() {
  // BEGIN SOLUTION(lab7q)
  // END SOLUTION
}
