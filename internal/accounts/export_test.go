package accounts

import "golang.org/x/crypto/bcrypt"

// DummyHashCost is the bcrypt cost of the hash compared for unknown emails.
func (s *Service) DummyHashCost() int {
	c, _ := bcrypt.Cost(s.dummyHash())
	return c
}
