/**
 * The float64 ODE that systems define and integrators solve: a state y ∈ ℝᵈ as a Float64Array and the right-hand
 * side of y' = f(t, y). It lives here, below both, so that a system (x' = F(x; μ), systems/) and a solver
 * (integrators/) share the contract without either knowing the other.
 */

export type State = Float64Array;

/** Right-hand side of y' = f(t, y); returns a new array of the same length as y. */
export type VectorField = (t: number, y: State) => State;
