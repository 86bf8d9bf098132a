// Placeholder so the test target has a source file; replaced by the real tests.
