int F() {
  // STUB: return 0;
  return 1;
}
