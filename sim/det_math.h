#pragma once

// Logarithm and exponential that give bit-identical results on every machine.
//
// std::log and std::exp come from the platform's maths library, and different libraries
// (glibc, musl, MSVC, Apple) may round the last bit differently, which would make a replay
// drift between machines. These use only IEEE-754 basic operations (+ - * /, exactly rounded
// everywhere) and exact helpers (frexp, ldexp, floor), in a fixed order, with FMA contraction
// disabled for sim/ in CMake. Accuracy: within a few ulp of the true value.

namespace ebsim::sim {

// Natural logarithm. NaN for x < 0 or NaN, -infinity for 0, +infinity for +infinity.
double detLog(double x);

// e^x. +infinity above ~709.78, 0 below ~-745.13, NaN for NaN.
double detExp(double x);

}  // namespace ebsim::sim
