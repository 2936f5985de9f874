import Foundation

/// One mutex with a condition variable for each party that waits on it (`pthread_mutex_t` and
/// `pthread_cond_t`), so that a thread wakes only the party whose state it changed.
///
/// The writer's pipeline needs it: a submission concerns only the encoder, an encoded batch only
/// the syncer. With one shared condition every submission would wake both threads.
final class PipelineLock: @unchecked Sendable {
    // Sendable: the pthread objects are used only through the pthread calls, which synchronise.

    /// Who waits.
    enum Party: Int, CaseIterable {
        case encoder, syncer, closer
    }

    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let conditions: [UnsafeMutablePointer<pthread_cond_t>]

    init() {
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        conditions = Party.allCases.map { _ in
            let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
            pthread_cond_init(condition, nil)
            return condition
        }
    }

    deinit {
        for condition in conditions {
            pthread_cond_destroy(condition)
            condition.deallocate()
        }
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func lock() { pthread_mutex_lock(mutex) }

    func unlock() { pthread_mutex_unlock(mutex) }

    /// Waits, with the lock held, until `party` is woken.
    func wait(_ party: Party) { pthread_cond_wait(conditions[party.rawValue], mutex) }

    /// Wakes `party`'s waiter, if it waits.
    func wake(_ party: Party) { pthread_cond_broadcast(conditions[party.rawValue]) }
}
