import Answer
import HTTP
import Search
import Store
import Tenancy

/// Maps the modules' HTTP-free errors to problems. Anything unrecognised becomes a 500 whose details
/// go only to the log (the client gets the request id to quote).
enum ErrorMapping {
    static func problem(for error: any Error) -> (problem: Problem, logDetail: String?) {
        switch error {
        case let problem as Problem:
            return (problem, nil)
        case let error as StoreError where error.isConnectionFailure:
            return (.serviceUnavailable("The database is unavailable; retry shortly."), error.description)
        case let error as StoreError where error.sqlState == .uniqueViolation:
            return (.conflict("That would duplicate an existing record."), error.description)
        case let error as StoreError where error.sqlState == .serializationFailure:
            return (.serviceUnavailable("A concurrent change got in the way; retry the request."), error.description)
        case let error as TenancyError:
            return (problem(for: error), nil)
        case SearchError.invalid(let detail):
            return (.unprocessable(detail), nil)
        case SearchError.unavailable(let detail):
            return (.serviceUnavailable("Search is unavailable: \(detail)"), detail)
        case AnswerError.invalid(let detail):
            return (.unprocessable(detail), nil)
        case AnswerError.notFound(let detail):
            return (.notFound(detail), nil)
        default:
            return (.internalError(), String(describing: error))
        }
    }

    static func problem(for error: TenancyError) -> Problem {
        switch error {
        case .notFound(let detail): .notFound(detail)
        case .invalid(let detail): .unprocessable(detail)
        case .limitReached(let detail): Problem(status: 403, type: "plan-limit", title: "Plan limit reached", detail: detail)
        case .forbidden(let detail): .forbidden(detail)
        case .conflict(let detail): .conflict(detail)
        case .internalFailure: .internalError()
        }
    }
}
