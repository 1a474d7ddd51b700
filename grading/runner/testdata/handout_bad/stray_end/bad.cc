void F() {
  // END SOLUTION
}
