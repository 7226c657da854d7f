package dev.tessera.runtime.evaluation;

/**
 * Eigen-decomposition of a real symmetric matrix by cyclic Jacobi rotations: simple, stable and
 * accurate for the small (about 128 x 128) covariance matrices FID needs.
 */
final class JacobiEigen {
  /** Eigenvalues and eigenvectors (column k of {@code vectors} belongs to {@code values[k]}). */
  record Result(double[] values, double[][] vectors) {}

  private JacobiEigen() {}

  static double[] eigenvalues(double[][] symmetric) {
    return decompose(symmetric).values();
  }

  static Result decompose(double[][] symmetric) {
    int n = symmetric.length;
    double[][] a = new double[n][];
    for (int i = 0; i < n; i++) {
      a[i] = symmetric[i].clone();
    }
    double[][] v = new double[n][n];
    for (int i = 0; i < n; i++) {
      v[i][i] = 1;
    }
    for (int sweep = 0; sweep < 100; sweep++) {
      double off = 0;
      double total = 0;
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          double s = a[i][j] * a[i][j];
          total += s;
          if (i != j) {
            off += s;
          }
        }
      }
      if (off <= 1e-22 * Math.max(total, 1e-300)) {
        break;
      }
      for (int p = 0; p < n - 1; p++) {
        for (int q = p + 1; q < n; q++) {
          double apq = a[p][q];
          if (Math.abs(apq) < 1e-300) {
            continue;
          }
          double theta = (a[q][q] - a[p][p]) / (2 * apq);
          double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
          if (theta == 0) {
            t = 1;
          }
          double c = 1 / Math.sqrt(t * t + 1);
          double s = t * c;
          for (int k = 0; k < n; k++) {
            double akp = a[k][p];
            double akq = a[k][q];
            a[k][p] = c * akp - s * akq;
            a[k][q] = s * akp + c * akq;
          }
          for (int k = 0; k < n; k++) {
            double apk = a[p][k];
            double aqk = a[q][k];
            a[p][k] = c * apk - s * aqk;
            a[q][k] = s * apk + c * aqk;
          }
          for (int k = 0; k < n; k++) {
            double vkp = v[k][p];
            double vkq = v[k][q];
            v[k][p] = c * vkp - s * vkq;
            v[k][q] = s * vkp + c * vkq;
          }
        }
      }
    }
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      values[i] = a[i][i];
    }
    return new Result(values, v);
  }
}
